module sigsentry.dev/tf-profile

go 1.21
