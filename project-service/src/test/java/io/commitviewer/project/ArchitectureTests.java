package io.commitviewer.project;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Features keep to themselves: the outbox knows nothing of projects. */
class ArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.commitviewer.project");

    @Test
    void outboxDoesNotKnowProjects() {
        noClasses().that().resideInAPackage("..project.outbox..")
                .should().dependOnClassesThat().resideInAPackage("io.commitviewer.project.project..")
                .check(CLASSES);
    }

    @Test
    void projectsPublishOnlyThroughTheOutbox() {
        noClasses().that().resideInAPackage("io.commitviewer.project.project..")
                .should().dependOnClassesThat().haveSimpleName("RabbitTemplate")
                .orShould().dependOnClassesThat().haveSimpleName("OutboxRelay")
                .check(CLASSES);
    }

    @Test
    void noProcessesAreStartedHere() {
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName(ProcessBuilder.class.getName())
                .check(CLASSES);
    }
}
