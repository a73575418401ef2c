# sources.tfquery.hcl, beside a configuration with the sigsentry provider, then:
#   terraform query                                  # list what exists
#   terraform query -generate-config-out=imports.tf  # write import blocks for all of it
list "sigsentry_log_source" "cloudwatch" {
  provider = sigsentry
  limit    = 500

  config {
    type       = "cloudwatch"
    name_regex = "^prod-"
  }
}
