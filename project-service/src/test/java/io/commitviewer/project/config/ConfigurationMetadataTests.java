package io.commitviewer.project.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.testsupport.ConfigurationMetadataCheck;
import org.junit.jupiter.api.Test;

class ConfigurationMetadataTests {

    @Test
    void everyCommitviewerSettingOfApplicationYmlIsDescribedInTheConfigurationMetadata() {
        assertThat(ConfigurationMetadataCheck.problems(getClass().getClassLoader(), "commitviewer")).isEmpty();
    }
}
