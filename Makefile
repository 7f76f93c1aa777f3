# Mercato: the two commands are `make run` and `make test`.
MODULES := platform users catalog orders payments notifications analytics gateway devstack deploy testkit
PKGS := $(MODULES:%=./%/...)
GO ?= go

.PHONY: run test test-short build vet fmt lint images webdeps
VERSION ?= 0.1.0
# IMAGES are the services built from the root Dockerfile, as SERVICE:PORT.
IMAGES := users:8081 catalog:8082 orders:8083 payments:8084 notifications:8085 analytics:8086 gateway:8080

## run: start the whole suite on loopback (embedded Kafka, FerretDB, every service)
run: webdeps
	$(GO) run ./devstack/cmd/devstack up

## test: every test of every module, end-to-end included; the chaos suite
## (devstack/chaos) runs after the rest, alone, because it loads the machine
## with its own stack and faults and would starve the end-to-end tests
test:
	$(GO) test -count=1 -timeout 25m $$($(GO) list $(PKGS) | grep -v '/devstack/chaos$$')
	$(GO) test -count=1 -timeout 10m ./devstack/chaos/

## test-short: unit and store tests only (skips the end-to-end suite)
test-short:
	$(GO) test -short -count=1 $(PKGS)

## build: every service binary into ./bin
build: webdeps
	$(GO) build -o bin/ ./users/cmd/users ./catalog/cmd/catalog ./orders/cmd/orders ./payments/cmd/payments ./notifications/cmd/notifications ./analytics/cmd/analytics ./gateway/cmd/gateway ./devstack/cmd/devstack

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -l -w $(MODULES)

lint:
	golangci-lint run $(PKGS)

## images: every container image (needs a Docker engine with BuildKit)
images:
	for image in $(IMAGES); do s=$${image%%:*}; docker build --build-arg SERVICE=$$s --build-arg PORT=$${image##*:} --build-arg VERSION=$(VERSION) -t ghcr.io/mercato-shop/mercato-$$s:$(VERSION) . || exit 1; done
	docker build -f devstack/Dockerfile.stripe-emulator --build-arg VERSION=$(VERSION) -t ghcr.io/mercato-shop/mercato-stripe-emulator:$(VERSION) .

## webdeps: the merchant dashboard's charting library, uPlot (MIT), fetched
## from the npm registry (`npm pack` checks the registry's integrity hash)
## into gateway/internal/web/static/vendor, which is gitignored and embedded
## in the gateway. Without npm or network the dashboard draws its own SVG chart.
UPLOT_VERSION ?= 1.6.32
WEB_VENDOR := gateway/internal/web/static/vendor
webdeps:
	@if [ -f $(WEB_VENDOR)/uPlot.esm.js ] && [ "$$(cat $(WEB_VENDOR)/VERSION 2>/dev/null)" = "$(UPLOT_VERSION)" ]; then exit 0; fi; \
	tmp=$$(mktemp -d); \
	if command -v npm >/dev/null 2>&1 && (cd $$tmp && npm pack --silent uplot@$(UPLOT_VERSION) >/dev/null 2>&1) && \
	   tar -xzf $$tmp/uplot-$(UPLOT_VERSION).tgz -C $$tmp package/dist/uPlot.esm.js package/dist/uPlot.min.css package/LICENSE; then \
	  cp $$tmp/package/dist/uPlot.esm.js $$tmp/package/dist/uPlot.min.css $(WEB_VENDOR)/ && \
	  cp $$tmp/package/LICENSE $(WEB_VENDOR)/uPlot.LICENSE && echo $(UPLOT_VERSION) > $(WEB_VENDOR)/VERSION && \
	  echo "webdeps: uPlot $(UPLOT_VERSION) in $(WEB_VENDOR)"; \
	else echo "webdeps: could not fetch uplot@$(UPLOT_VERSION); the dashboard draws its own SVG chart"; fi; \
	rm -rf $$tmp
