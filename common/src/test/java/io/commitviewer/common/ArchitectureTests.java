package io.commitviewer.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** common is plain Java shared by everyone: no framework, and only the git package starts processes. */
class ArchitectureTests {

    private static final JavaClasses COMMON = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.commitviewer.common");

    @Test
    void commonDependsOnNoFrameworkOrLibrary() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "jakarta..", "tools.jackson..", "com.fasterxml..",
                        "org.slf4j..", "io.micrometer..")
                .check(COMMON);
    }

    @Test
    void onlyTheGitPackageStartsProcesses() {
        noClasses().that().resideOutsideOfPackage("io.commitviewer.common.git")
                .should().dependOnClassesThat().haveFullyQualifiedName(ProcessBuilder.class.getName())
                .orShould().callMethod(Runtime.class, "exec", String.class)
                .check(COMMON);
    }

    @Test
    void contractsDoNotReachIntoTheGitWrapperInternals() {
        noClasses().that().resideInAnyPackage("io.commitviewer.common.url..", "io.commitviewer.common.events..")
                .should().dependOnClassesThat().haveSimpleName("GitProcess")
                .check(COMMON);
    }
}
