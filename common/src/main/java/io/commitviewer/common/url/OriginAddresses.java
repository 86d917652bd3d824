package io.commitviewer.common.url;

import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.GitException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where git may connect for a repository: its origin's host resolved here, in Java, before each
 * git run, every address checked, and the result pinned for git ({@code http.curloptResolve}), so
 * that DNS cannot send git elsewhere between the check and the connection. Loopback, private,
 * link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254 among them), shared, multicast
 * and reserved addresses are refused unless the origin is marked {@code internal:}.
 */
public final class OriginAddresses {

    /** Resolves a host name; the system resolver in production. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public static final Resolver SYSTEM = InetAddress::getAllByName;

    /**
     * The addresses git may use for {@code url}, as one {@code http.curloptResolve} value
     * ({@code host:port:address[,address]}), or null when the host is an address literal (git then
     * resolves nothing). Throws {@link FailureReason#INVALID_URL} for a refused address and
     * {@link FailureReason#UNREACHABLE} for a host that does not resolve.
     */
    public static String pin(RepositoryUrl url, AllowedOrigins origins, Resolver resolver) {
        String authority = url.authority();
        String host = AllowedOrigins.hostOf(authority);
        int port = host.length() < authority.length() ? Integer.parseInt(authority.substring(host.length() + 1))
                : url.origin().startsWith("https://") ? 443 : 80;
        boolean literal = host.startsWith("[") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        InetAddress[] addresses;
        try {
            String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            // an address literal is parsed, never looked up
            addresses = literal ? new InetAddress[] {InetAddress.getByName(name)} : resolver.resolve(name);
        } catch (UnknownHostException e) {
            throw new GitException(FailureReason.UNREACHABLE, "the host " + host + " does not resolve");
        }
        if (addresses.length == 0) {
            throw new GitException(FailureReason.UNREACHABLE, "the host " + host + " does not resolve");
        }
        boolean internal = origins.isInternal(url.origin());
        List<String> pinned = new ArrayList<>();
        for (InetAddress address : addresses) {
            if (!internal && !isPublic(address)) {
                throw new GitException(FailureReason.INVALID_URL, "the host " + host + " resolves to " + address.getHostAddress()
                        + ", which is not a public address; an origin meant to be reached there must be allowed as "
                        + AllowedOrigins.INTERNAL + url.origin());
            }
            pinned.add(address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress());
        }
        return literal ? null : host.toLowerCase(Locale.ROOT) + ":" + port + ":" + String.join(",", pinned);
    }

    /** True for an address on the public internet. */
    public static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 // this network
                    && !(first == 100 && second >= 64 && second <= 127) // shared address space (carrier NAT)
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19)) // benchmarking
                    && first < 224; // multicast, reserved, broadcast
        }
        int first = b[0] & 0xff;
        if ((first & 0xfe) == 0xfc) {
            return false; // unique local fc00::/7 (fd00:ec2::254, the EC2 metadata address, among them)
        }
        boolean mapped = true; // ::ffff:a.b.c.d and the deprecated ::a.b.c.d carry an IPv4 address
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        if (mapped && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
            try {
                return isPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return !(first == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8); // documentation 2001:db8::/32
    }

    private OriginAddresses() {
    }
}
