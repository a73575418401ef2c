# `terraform test` (Terraform 1.6 or later) against the fake SigSentry API:
#   sigsentry-mock --seed seed.json --listen 127.0.0.1:0   # prints: listening on http://127.0.0.1:PORT
#   export SIGSENTRY_API_URL=http://127.0.0.1:PORT SIGSENTRY_API_KEY=ss_secret_demo_key
#   terraform test
# seed.json gives the project a Loki source named checkout-loki. See
# docs/guides/testing-modules.md.

variables {
  team     = "payments"
  loki_url = "https://loki.example.com"
  streams  = ["{app=\"payments\"}", "{app=\"payments-worker\"}"]
}

run "creates_the_team_log_source" {
  command = apply

  assert {
    condition     = output.name == "payments-loki"
    error_message = "The log source is called ${output.name}, not payments-loki."
  }

  assert {
    condition     = startswith(output.id, "ls_")
    error_message = "The API gave no log source id."
  }

  assert {
    condition     = output.is_active
    error_message = "A new log source should be active."
  }
}

run "refuses_a_name_taken_in_the_project" {
  command = plan

  variables {
    team = "checkout"
  }

  expect_failures = [sigsentry_log_source.team]
}

run "refuses_a_team_name_that_is_no_name" {
  command = plan

  variables {
    team = "Payments Team"
  }

  expect_failures = [var.team]
}
