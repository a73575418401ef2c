# Import an existing log source by its id. Credentials cannot be read back from the API,
# so they are empty after import: the next apply sends the configured ones as an in-place
# update (never a replacement).
terraform import sigsentry_log_source.cloudwatch ls_4f0c2a9e-7b1d-4c55-9a0e-3f2b8c1d6e70

# Or, with Terraform 1.5+, in configuration:
#   import {
#     to = sigsentry_log_source.cloudwatch
#     id = "ls_4f0c2a9e-7b1d-4c55-9a0e-3f2b8c1d6e70"
#   }

# A source of another project (tenant-scoped key): PROJECT/ID.
terraform import sigsentry_log_source.cloudwatch prj_payments/ls_4f0c2a9e-7b1d-4c55-9a0e-3f2b8c1d6e70
