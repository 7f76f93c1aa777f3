package browser_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The address book (issue 18) and the checkout that offers it.

func TestShopperKeepsAddressesAndCheckoutOffersThem(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)
	s := openShop(t, base, "Address Kite", 1200, 200)
	signUpShopper(t, ctx, base)
	addAddress := func(name, line1, city string) {
		run(t, ctx, "add "+name,
			eval(`document.querySelector('#address-form').closest('details').open = true`),
			fill("#addr-name", name),
			fill("#addr-line1", line1),
			fill("#addr-city", city),
			fill("#addr-postal_code", "12345"),
			fill("#addr-country", "us"),
			click("#address-save"),
			waitFor(textContains("#address-list", line1), 10*time.Second))
	}
	run(t, ctx, "account page",
		click("#account-link"),
		waitFor(`location.pathname === '/account' && document.querySelector('#address-list') !== null`, 10*time.Second))
	addAddress("Ann Home", "1 Home Road", "Springfield")
	addAddress("Ann Work", "2 Office Park", "Shelbyville")
	defaultOf := `document.querySelector('#address-list .address-item .default-badge')?.closest('li').textContent || ''`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](defaultOf)); err != nil || !strings.Contains(got, "1 Home Road") {
		t.Fatalf("the first address is not the default: %q (%v)", got, err)
	}
	work := `[...document.querySelectorAll('#address-list .address-item')].find(li => li.textContent.includes('2 Office Park'))`
	run(t, ctx, "make default and edit",
		eval(work+`.querySelector('.make-default').click()`),
		waitFor(`(`+defaultOf+`).includes('2 Office Park')`, 10*time.Second),
		eval(work+`.querySelector('.edit-address').click()`),
		fill("#addr-line1", "3 Office Park"),
		click("#address-save"),
		waitFor(textContains("#address-list", "3 Office Park")+` && !`+textContains("#address-list", "2 Office Park"), 10*time.Second))
	screenshot(t, ctx, "addresses")

	run(t, ctx, "checkout",
		chromedp.Navigate(base+"/product/"+s.productID),
		waitFor(textContains("h1", s.name), 10*time.Second),
		click(`form.buy button[type="submit"]`),
		waitFor(textContains(".message", "Added 1"), 10*time.Second),
		chromedp.Navigate(base+"/checkout"),
		waitFor(`document.querySelector('#saved-address') !== null`, 10*time.Second))
	value := func(id string) string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.getElementById(%q).value`, id)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := value("ship-line1"); got != "3 Office Park" {
		t.Errorf("checkout pre-filled line1 %q, want the default 3 Office Park", got)
	}
	run(t, ctx, "pick the other",
		eval(`(() => { const s = document.getElementById('saved-address'); s.value = s.options[1].value; s.dispatchEvent(new Event('change')); })()`))
	if got := value("ship-line1"); got != "1 Home Road" {
		t.Errorf("after picking the other address line1 is %q", got)
	}
	if got := value("ship-country"); got != "US" {
		t.Errorf("country %q, want US", got)
	}
}
