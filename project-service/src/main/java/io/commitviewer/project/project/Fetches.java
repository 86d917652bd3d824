package io.commitviewer.project.project;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

interface Fetches extends JpaRepository<Fetch, UUID> {
}
