// Package browser holds Mercato's browser tests: a real headless Chromium,
// driven with chromedp, uses the storefront and the merchant console of the
// whole suite running as processes (devstack/stack) with the demo data.
//
// They need Debian's chromium (`apt-get install chromium`). Without it they
// skip locally and fail in CI (CI=true). They are skipped under -short.
// Screenshots go to $MERCATO_ARTIFACTS_DIR, or artifacts/browser/ at the
// repository root.
package browser
