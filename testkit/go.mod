// Module testkit holds the test doubles of what cannot run here for real:
// the Stripe emulator and the SMTP mail sink. Production modules need it
// only in their tests, and no service binary links it.
module github.com/mercato-shop/mercato/testkit

go 1.26.8

require (
	github.com/emersion/go-smtp v0.26.0
	github.com/stripe/stripe-go/v76 v76.25.0
)

require github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // indirect
