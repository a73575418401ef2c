# Terraform 1.12+: import by identity. project_id is needed only with a tenant-scoped key.
import {
  to = sigsentry_log_source.from_dashboard
  identity = {
    id = "ls_4f0c2a8e-1b7d-4c55-9e21-6a3f0d9b7c11"
  }
}
