package stripeemu

// outcome is what confirming a PaymentIntent with a test payment method does.
type outcome int

const (
	outcomeSucceed outcome = iota
	outcomeDecline
	outcomeAuthenticate
)

// testCard is one of Stripe's test PaymentMethods
// (https://docs.stripe.com/testing#cards and #declined-payments).
type testCard struct {
	outcome     outcome
	brand       string
	last4       string
	code        string // error code of a decline
	declineCode string
	message     string
}

// testCards are the PaymentMethods the emulator knows; any other id is
// answered like an unknown PaymentMethod (resource_missing).
var testCards = map[string]testCard{
	"pm_card_visa":       {outcome: outcomeSucceed, brand: "visa", last4: "4242"},
	"pm_card_visa_debit": {outcome: outcomeSucceed, brand: "visa", last4: "5556"},
	"pm_card_mastercard": {outcome: outcomeSucceed, brand: "mastercard", last4: "4444"},
	"pm_card_amex":       {outcome: outcomeSucceed, brand: "amex", last4: "8431"},

	"pm_card_chargeDeclined": {outcome: outcomeDecline, brand: "visa", last4: "0002",
		code: "card_declined", declineCode: "generic_decline", message: "Your card was declined."},
	"pm_card_chargeDeclinedInsufficientFunds": {outcome: outcomeDecline, brand: "visa", last4: "9995",
		code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds."},
	"pm_card_chargeDeclinedLostCard": {outcome: outcomeDecline, brand: "visa", last4: "9987",
		code: "card_declined", declineCode: "lost_card", message: "Your card was declined."},
	"pm_card_chargeDeclinedStolenCard": {outcome: outcomeDecline, brand: "visa", last4: "9979",
		code: "card_declined", declineCode: "stolen_card", message: "Your card was declined."},
	"pm_card_chargeDeclinedFraudulent": {outcome: outcomeDecline, brand: "visa", last4: "0019",
		code: "card_declined", declineCode: "fraudulent", message: "Your card was declined."},
	"pm_card_chargeDeclinedExpiredCard": {outcome: outcomeDecline, brand: "visa", last4: "0069",
		code: "expired_card", declineCode: "expired_card", message: "Your card has expired."},
	"pm_card_chargeDeclinedIncorrectCvc": {outcome: outcomeDecline, brand: "visa", last4: "0127",
		code: "incorrect_cvc", declineCode: "incorrect_cvc", message: "Your card's security code is incorrect."},
	"pm_card_chargeDeclinedProcessingError": {outcome: outcomeDecline, brand: "visa", last4: "0119",
		code: "processing_error", declineCode: "processing_error", message: "An error occurred while processing your card. Try again in a little bit."},

	"pm_card_authenticationRequired": {outcome: outcomeAuthenticate, brand: "visa", last4: "3184"},
	"pm_card_threeDSecure2Required":  {outcome: outcomeAuthenticate, brand: "visa", last4: "3220"},
}

// paymentMethodObject is the PaymentMethod embedded in a card error.
func paymentMethodObject(id string, card testCard, created int64) map[string]any {
	return map[string]any{
		"id":       id,
		"object":   "payment_method",
		"type":     "card",
		"created":  created,
		"livemode": false,
		"card":     map[string]any{"brand": card.brand, "last4": card.last4, "exp_month": 12, "exp_year": 2034},
	}
}
