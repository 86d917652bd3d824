package io.commitviewer.testsupport;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a synthetic history through {@code git fast-import}: a main line, feature branches that
 * fork and merge back (2-parent merges, and an octopus merge of up to 8 parents), a second root,
 * annotated tags, realistic message lengths and, when asked, messages with odd bytes. 100k
 * commits take a few seconds. The same settings and seed give the same history.
 */
public final class SyntheticHistory {

    /** Messages that have broken parsers: every control byte, separators, emoji, invalid UTF-8, empty. */
    static final List<byte[]> ODD_MESSAGES = oddMessages();

    private final int commits;
    private final int branches;
    private final int mergeEvery;
    private final int tags;
    private final boolean oddMessages;
    private final long seed;
    private final long startEpoch;

    private SyntheticHistory(Builder builder) {
        this.commits = builder.commits;
        this.branches = builder.branches;
        this.mergeEvery = builder.mergeEvery;
        this.tags = builder.tags;
        this.oddMessages = builder.oddMessages;
        this.seed = builder.seed;
        this.startEpoch = builder.startEpoch;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What was written. */
    public record Summary(int commits, int branches, int merges, int roots, int tags) {
    }

    /** Writes the history into the bare repository at {@code dir} (created if needed). */
    public Summary writeTo(Path dir) {
        ServedRepository.init(dir);
        Summary[] summary = new Summary[1];
        // more active branches than the history has: fast-import otherwise swaps branch trees in and out
        GitCli.run(dir, (GitCli.Input) stdin -> summary[0] = write(stdin),
                List.of("fast-import", "--quiet", "--done", "--force", "--active-branches=" + (branches + 8)));
        return summary[0];
    }

    private Summary write(OutputStream raw) throws IOException {
        OutputStream out = new BufferedOutputStream(raw, 1 << 16);
        Random random = new Random(seed);
        int featureCount = Math.max(0, branches - 1);
        int[] featureTip = new int[featureCount];
        int mainTip = 0;
        int mark = 0;
        int merges = 0;
        int roots = 0;
        int tagsWritten = 0;
        long time = startEpoch;
        int tagEvery = tags > 0 ? Math.max(1, commits / (tags + 1)) : Integer.MAX_VALUE;
        boolean octopusDone = false;
        for (int i = 0; i < commits; i++) {
            mark++;
            time += 30 + random.nextInt(120);
            int feature = featureCount == 0 ? -1 : random.nextInt(10) < 3 ? random.nextInt(featureCount) : -1;
            List<Integer> parents = new ArrayList<>(2);
            String ref;
            if (feature >= 0) {
                ref = featureName(feature);
                if (featureTip[feature] != 0) {
                    parents.add(featureTip[feature]);
                } else if (feature == 0 && featureCount > 1) {
                    roots++; // the first feature branch starts as an unrelated history: a second root
                } else if (mainTip != 0) {
                    parents.add(mainTip);
                } else {
                    roots++;
                }
                featureTip[feature] = mark;
            } else {
                ref = "main";
                if (mainTip != 0) {
                    parents.add(mainTip);
                } else {
                    roots++;
                }
                if (!octopusDone && featureCount >= 2 && i > commits / 2 && mainTip != 0) {
                    for (int f = 0; f < featureCount && parents.size() < 8; f++) {
                        if (featureTip[f] != 0) {
                            parents.add(featureTip[f]);
                        }
                    }
                    octopusDone = parents.size() > 2;
                } else if (mergeEvery > 0 && featureCount > 0 && mainTip != 0 && i % mergeEvery == 0) {
                    int f = random.nextInt(featureCount);
                    if (featureTip[f] != 0 && featureTip[f] != mainTip) {
                        parents.add(featureTip[f]);
                    }
                }
                if (parents.size() > 1) {
                    merges++;
                }
                mainTip = mark;
            }
            byte[] message = message(random, i, parents.size() > 1);
            commit(out, ref, mark, parents, time, random, message, i);
            if (ref.equals("main") && tagsWritten < tags && i > 0 && i % tagEvery == 0) {
                tagsWritten++;
                tag(out, "v" + tagsWritten + ".0", mark, time);
            }
        }
        out.write("done\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int branchesWritten = 1;
        for (int tip : featureTip) {
            if (tip != 0) {
                branchesWritten++;
            }
        }
        return new Summary(commits, commits == 0 ? 0 : branchesWritten, merges, roots, tagsWritten);
    }

    private static String featureName(int index) {
        return switch (index) {
            case 0 -> "legacy-import";
            default -> "feature/topic-" + index;
        };
    }

    private void commit(OutputStream out, String ref, int mark, List<Integer> parents, long time, Random random,
            byte[] message, int index) throws IOException {
        String[] zones = {"+0000", "+0100", "-0500", "+0530", "-0800", "+0900", "+1245", "-0330"};
        String zone = zones[random.nextInt(zones.length)];
        long authored = time - random.nextInt(3600);
        StringBuilder header = new StringBuilder(256);
        header.append("commit refs/heads/").append(ref).append('\n')
                .append("mark :").append(mark).append('\n')
                .append("author ").append(person(random)).append(' ').append(authored).append(' ').append(zone).append('\n')
                .append("committer ").append(person(random)).append(' ').append(time).append(' ').append(zone).append('\n')
                .append("data ").append(message.length).append('\n');
        out.write(header.toString().getBytes(StandardCharsets.UTF_8));
        out.write(message);
        StringBuilder tail = new StringBuilder(128);
        tail.append('\n');
        if (!parents.isEmpty()) {
            tail.append("from :").append(parents.get(0)).append('\n');
            for (int p = 1; p < parents.size(); p++) {
                tail.append("merge :").append(parents.get(p)).append('\n');
            }
        }
        String content = "line " + index + "\n";
        tail.append("M 644 inline src/file-").append(index % 64).append(".txt\n")
                .append("data ").append(content.length()).append('\n').append(content).append('\n');
        out.write(tail.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void tag(OutputStream out, String name, int mark, long time) throws IOException {
        String message = "Release " + name + "\n";
        String text = "tag " + name + "\nfrom :" + mark + "\ntagger Release Bot <release@example.com> " + time
                + " +0000\ndata " + message.length() + "\n" + message + "\n";
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    private static final String[] FIRST = {"Ada", "Linus", "Grace", "Ken", "Barbara", "Dennis", "Margaret", "José",
        "Zoë", "Łukasz", "Søren", "Mei", "Ngozi", "Pradeep", "Olga", "Ahmed"};
    private static final String[] LAST = {"Lovelace", "Torvalds", "Hopper", "Thompson", "Liskov", "Ritchie",
        "Hamilton", "García", "Müller", "Kowalski", "Kierkegaard", "Chen", "Okafor", "Iyer", "Petrova", "Haddad"};
    private static final String[] VERBS = {"Fix", "Add", "Remove", "Refactor", "Update", "Improve", "Document",
        "Handle", "Speed up", "Simplify", "Test", "Rename"};
    private static final String[] THINGS = {"parser", "fetch loop", "cache eviction", "login form", "README",
        "build script", "retry back-off", "date handling", "pagination", "error messages", "metrics", "logging"};
    private static final String WORDS = "the a of to in is that for it as was with be by on not this are or from "
            + "at which but have an they more when one all would there their so can if will about up out into "
            + "than them only some could then these two may first any time like new very after should because";

    private static String person(Random random) {
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        return first + " " + last + " <" + ascii(first).toLowerCase() + "." + ascii(last).toLowerCase()
                + "@example.com>";
    }

    private static String ascii(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c < 0x80 ? c : 'x');
        }
        return out.toString();
    }

    private byte[] message(Random random, int index, boolean merge) {
        if (oddMessages && index % 997 == 13) {
            return ODD_MESSAGES.get((index / 997) % ODD_MESSAGES.size());
        }
        StringBuilder message = new StringBuilder(160);
        if (merge) {
            message.append("Merge branch into main");
        } else {
            message.append(VERBS[random.nextInt(VERBS.length)]).append(' ')
                    .append(THINGS[random.nextInt(THINGS.length)]).append(" (#").append(index).append(')');
        }
        int bodyLines = random.nextInt(10) < 6 ? 0 : 1 + random.nextInt(4);
        if (bodyLines > 0) {
            message.append("\n\n");
            String[] words = WORDS.split(" ");
            for (int line = 0; line < bodyLines; line++) {
                int length = 0;
                while (length < 60) {
                    String word = words[random.nextInt(words.length)];
                    message.append(word).append(' ');
                    length += word.length() + 1;
                }
                message.setLength(message.length() - 1);
                message.append('\n');
            }
        } else {
            message.append('\n');
        }
        return message.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> oddMessages() {
        List<byte[]> messages = new ArrayList<>();
        java.io.ByteArrayOutputStream controls = new java.io.ByteArrayOutputStream();
        controls.writeBytes("Controls:".getBytes(StandardCharsets.US_ASCII));
        for (int b = 1; b <= 0x1F; b++) {
            controls.write(b);
        }
        controls.writeBytes(" record\u001eseparator\n".getBytes(StandardCharsets.US_ASCII));
        messages.add(controls.toByteArray());
        messages.add("Ship it 🚀🎉 — naïve café, 日本語, עברית\n".getBytes(StandardCharsets.UTF_8));
        messages.add(new byte[] {'B', 'a', 'd', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF, (byte) 0xFE, ' ',
            (byte) 0xE2, (byte) 0x82, '\n'});
        messages.add(new byte[0]);
        messages.add("Subject\r\n\r\nWindows body\r\n".getBytes(StandardCharsets.UTF_8));
        messages.add("%H%x00%P \\0 \"quoted\" <html> & 'single' {json: true}\n".getBytes(StandardCharsets.UTF_8));
        return List.copyOf(messages);
    }

    /** Settings of a synthetic history. */
    public static final class Builder {
        private int commits = 1000;
        private int branches = 4;
        private int mergeEvery = 25;
        private int tags = 3;
        private boolean oddMessages = true;
        private long seed = 42;
        private long startEpoch = 1_500_000_000L;

        public Builder commits(int value) {
            this.commits = value;
            return this;
        }

        /** Number of branches including {@code main}. */
        public Builder branches(int value) {
            this.branches = value;
            return this;
        }

        /** A main-line commit merges a feature branch every this many commits (0: never). */
        public Builder mergeEvery(int value) {
            this.mergeEvery = value;
            return this;
        }

        public Builder tags(int value) {
            this.tags = value;
            return this;
        }

        public Builder oddMessages(boolean value) {
            this.oddMessages = value;
            return this;
        }

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        public Builder startEpoch(long value) {
            this.startEpoch = value;
            return this;
        }

        public SyntheticHistory build() {
            if (commits < 0 || branches < 1) {
                throw new IllegalArgumentException("commits >= 0 and branches >= 1 required");
            }
            return new SyntheticHistory(this);
        }
    }
}
