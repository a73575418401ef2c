resource "sigsentry_log_source" "checkout" {
  type = "cloudwatch"
  name = "prod-cloudwatch"
  credentials = {
    accessKeyId     = var.aws_access_key_id
    secretAccessKey = var.aws_secret_access_key
  }
  sources = ["/aws/lambda/checkout-api"]

  # Test the connection after every create and update.
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.sigsentry_log_source_test.checkout]
    }
  }
}

# Or on demand: terraform apply -invoke=action.sigsentry_log_source_test.checkout
action "sigsentry_log_source_test" "checkout" {
  config {
    log_source_id = sigsentry_log_source.checkout.id
  }
}

variable "aws_access_key_id" {
  type = string
}

variable "aws_secret_access_key" {
  type      = string
  sensitive = true
}
