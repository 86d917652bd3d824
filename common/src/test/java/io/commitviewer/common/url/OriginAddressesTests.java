package io.commitviewer.common.url;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.commitviewer.common.git.FailureReason;
import io.commitviewer.common.git.GitException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OriginAddressesTests {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A resolver that knows a few names, as DNS would answer them (rebinding included). */
    private static final Map<String, List<String>> DNS = Map.of(
            "git.example.com", List.of("140.82.121.3", "2606:50c0:8000::153"),
            "rebound.example.com", List.of("140.82.121.3", "127.0.0.1"),
            "metadata.example.com", List.of("169.254.169.254"),
            "corp.example.com", List.of("10.1.2.3"));

    private static final OriginAddresses.Resolver RESOLVER = host -> {
        List<String> answer = DNS.get(host);
        if (answer == null) {
            throw new UnknownHostException(host);
        }
        return answer.stream().map(OriginAddressesTests::ip).toArray(InetAddress[]::new);
    };

    private static final AllowedOrigins ORIGINS = AllowedOrigins.parse("https://git.example.com,http://rebound.example.com:8080,"
            + "https://metadata.example.com,https://nowhere.example.com,https://corp.example.com:8443,internal:http://corp.example.com,"
            + "http://127.0.0.1:9418,internal:http://127.0.0.1:18080,https://140.82.121.3");
    private static final RepositoryUrlPolicy POLICY = new RepositoryUrlPolicy(ORIGINS);

    private static String pin(String url) {
        return OriginAddresses.pin(POLICY.parse(url), ORIGINS, RESOLVER);
    }

    @Test
    void aPublicHostIsPinnedToEveryAddressItResolvedTo() {
        assertThat(pin("https://git.example.com/a/b")).isEqualTo("git.example.com:443:140.82.121.3,[2606:50c0:8000:0:0:0:0:153]");
    }

    @Test
    void aHostResolvingToLoopbackPrivateOrMetadataAddressesIsRefusedUnlessInternal() {
        for (String url : List.of("http://rebound.example.com:8080/a/b", "https://metadata.example.com/a/b",
                "https://corp.example.com:8443/a/b", "http://127.0.0.1:9418/a/b")) {
            assertThatThrownBy(() -> pin(url)).as(url).isInstanceOfSatisfying(GitException.class, e -> {
                assertThat(e.reason()).isEqualTo(FailureReason.INVALID_URL);
                assertThat(e.getMessage()).contains("not a public address", "internal:");
            });
        }
        assertThat(pin("http://corp.example.com/a/b")).isEqualTo("corp.example.com:80:10.1.2.3");
        assertThat(pin("http://127.0.0.1:18080/a/b")).as("an address literal needs no pin").isNull();
        assertThat(pin("https://140.82.121.3/a/b")).isNull();
    }

    @Test
    void aHostThatDoesNotResolveIsUnreachable() {
        assertThatThrownBy(() -> pin("https://nowhere.example.com/a/b")).isInstanceOfSatisfying(GitException.class,
                e -> assertThat(e.reason()).isEqualTo(FailureReason.UNREACHABLE));
    }

    @Test
    void onlyPublicAddressesArePublic() {
        for (String address : List.of("127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.0.8", "::1", "::", "fe80::1", "fc00::1",
                "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2001:db8::1", "ff02::1")) {
            assertThat(OriginAddresses.isPublic(ip(address))).as(address).isFalse();
        }
        for (String address : List.of("140.82.121.3", "8.8.8.8", "2606:50c0:8000::153", "::ffff:140.82.121.3")) {
            assertThat(OriginAddresses.isPublic(ip(address))).as(address).isTrue();
        }
    }

    @Test
    void theInternalMarkIsKeptThroughParsingAndAdding() {
        AllowedOrigins origins = AllowedOrigins.parse("https://github.com, INTERNAL:http://git.corp:8080/");
        assertThat(origins.origins()).containsExactly("https://github.com", "http://git.corp:8080");
        assertThat(origins.isInternal("http://git.corp:8080")).isTrue();
        assertThat(origins.isInternal("https://github.com")).isFalse();
        AllowedOrigins more = origins.with(List.of("internal:http://127.0.0.1:9"));
        assertThat(more.isInternal("http://git.corp:8080")).isTrue();
        assertThat(more.isInternal("http://127.0.0.1:9")).isTrue();
        assertThat(more.toString()).isEqualTo("https://github.com,internal:http://git.corp:8080,internal:http://127.0.0.1:9");
    }
}
