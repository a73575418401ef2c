# Everyday commands. `make install` puts the release build where a plain `terraform init`
# with source = "sigsentry/sigsentry" finds it offline (an implied local mirror).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
OS_ARCH := $(shell uname -s | tr A-Z a-z)_$(shell uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')
PLUGIN_DIR ?= $(HOME)/.terraform.d/plugins
DEST := $(PLUGIN_DIR)/registry.terraform.io/sigsentry/sigsentry/$(VERSION)/$(OS_ARCH)

.PHONY: build install install-bin demo test docs release

build:
	cargo build --release --bin terraform-provider-sigsentry

install: build
	$(MAKE) --no-print-directory install-bin BIN=target/release/terraform-provider-sigsentry

# Installs an already built binary (BIN) into the plugin directory.
install-bin:
	mkdir -p $(DEST)
	install -m 0755 $(BIN) $(DEST)/terraform-provider-sigsentry_v$(VERSION)
	@echo "installed $(DEST)/terraform-provider-sigsentry_v$(VERSION)"

demo:
	scripts/demo.sh

test:
	scripts/test.sh

docs:
	cargo run --quiet --bin gen-docs

release:
	scripts/release.sh
