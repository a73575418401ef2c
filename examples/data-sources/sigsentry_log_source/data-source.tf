# By id
data "sigsentry_log_source" "by_id" {
  id = "ls_4f0c2a9e-7b1d-4c55-9a0e-3f2b8c1d6e70"
}

# By name (must match exactly one log source)
data "sigsentry_log_source" "by_name" {
  name = "prod-cloudwatch"
}

output "cloudwatch_groups" {
  value = data.sigsentry_log_source.by_name.sources
}
