package io.commitviewer.commit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The API reads the store; only fetching reaches git; nothing here starts a process itself;
 * project work has one entry point, which the work itself does not know.
 */
class ArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.commitviewer.commit");

    @Test
    void theApiDoesNotReachIntoFetching() {
        noClasses().that().resideInAPackage("..commit.commits..")
                .should().dependOnClassesThat().resideInAnyPackage("io.commitviewer.commit.fetch..", "io.commitviewer.commit.mirror..")
                .check(CLASSES);
    }

    @Test
    void mirrorsKnowNothingOfFetchesOrTheApi() {
        noClasses().that().resideInAPackage("..commit.mirror..")
                .should().dependOnClassesThat().resideInAnyPackage("io.commitviewer.commit.fetch..", "io.commitviewer.commit.commits..")
                .check(CLASSES);
    }

    @Test
    void onlyTheGitWrapperStartsProcesses() {
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName(ProcessBuilder.class.getName())
                .check(CLASSES);
    }

    @Test
    void projectWorkArrivesThroughTheWorkPackageOnly() {
        noMethods().that().areDeclaredInClassesThat().resideOutsideOfPackage("io.commitviewer.commit.work..")
                .should().beAnnotatedWith(org.springframework.amqp.rabbit.annotation.RabbitListener.class)
                .check(CLASSES);
        noClasses().that().resideOutsideOfPackage("io.commitviewer.commit.work..")
                .should().implement(org.springframework.amqp.core.MessageListener.class)
                .check(CLASSES);
        noClasses().that().resideInAnyPackage("io.commitviewer.commit.fetch..", "io.commitviewer.commit.project..")
                .should().dependOnClassesThat().resideInAPackage("io.commitviewer.commit.work..")
                .check(CLASSES);
    }
}
