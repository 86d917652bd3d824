package io.commitviewer.commit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Fetches repositories with git, keeps every commit of every branch in MongoDB and serves them in pages. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CommitServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(CommitServiceApplication.class, args);
    }
}
