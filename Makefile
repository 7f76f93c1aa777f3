# Mercato: the two commands are `make run` and `make test`.
MODULES := platform users catalog orders payments gateway devstack
PKGS := $(MODULES:%=./%/...)
GO ?= go

.PHONY: run test test-short build vet fmt lint

## run: start the whole suite on loopback (embedded Kafka, FerretDB, every service)
run:
	$(GO) run ./devstack/cmd/devstack up

## test: every test of every module, end-to-end included
test:
	$(GO) test -count=1 -timeout 25m $(PKGS)

## test-short: unit and store tests only (skips the end-to-end suite)
test-short:
	$(GO) test -short -count=1 $(PKGS)

## build: every service binary into ./bin
build:
	$(GO) build -o bin/ ./users/cmd/users ./catalog/cmd/catalog ./orders/cmd/orders ./payments/cmd/payments ./gateway/cmd/gateway ./devstack/cmd/devstack

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -l -w $(MODULES)

lint:
	golangci-lint run $(PKGS)
