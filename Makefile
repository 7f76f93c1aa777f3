# Mercato: the two commands are `make run` and `make test`.
MODULES := platform users catalog orders payments gateway devstack deploy
PKGS := $(MODULES:%=./%/...)
GO ?= go

.PHONY: run test test-short build vet fmt lint images
VERSION ?= 0.1.0

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

## images: every container image (needs a Docker engine with BuildKit)
images:
	for s in users catalog orders payments gateway; do docker build -f $$s/Dockerfile --build-arg VERSION=$(VERSION) -t ghcr.io/mercato-shop/mercato-$$s:$(VERSION) . || exit 1; done
	docker build -f devstack/Dockerfile.stripe-emulator --build-arg VERSION=$(VERSION) -t ghcr.io/mercato-shop/mercato-stripe-emulator:$(VERSION) .
