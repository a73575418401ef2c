terraform {
  required_providers {
    sigsentry = {
      source = "sigsentry/sigsentry"
    }
  }
}

# The API key is best given through the environment: SIGSENTRY_API_KEY.
provider "sigsentry" {
  # api_url     = "https://api.sigsentry.com" # or SIGSENTRY_API_URL
  # project_id  = "prj_..."                   # tenant-scoped keys only, or SIGSENTRY_PROJECT_ID
  # max_retries = 5                           # or SIGSENTRY_MAX_RETRIES
}
