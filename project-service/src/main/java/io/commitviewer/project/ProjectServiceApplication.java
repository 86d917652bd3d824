package io.commitviewer.project;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Accepts repositories, records them, requests their fetch through an outbox and tracks the outcome. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class ProjectServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(ProjectServiceApplication.class, args);
    }
}
