# Every log source of one project, for `terraform query -generate-config-out=imported.tf`.
list "sigsentry_log_source" "payments" {
  provider = sigsentry
  config {
    project_id = "prj_payments"
  }
}
