# Every CloudWatch log source whose name starts with "prod-"
data "sigsentry_log_sources" "prod_cloudwatch" {
  type       = "cloudwatch"
  name_regex = "^prod-"
}

output "prod_cloudwatch_ids" {
  value = data.sigsentry_log_sources.prod_cloudwatch.ids
}
