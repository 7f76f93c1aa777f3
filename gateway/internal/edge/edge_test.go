package edge

import "testing"

func TestTrustedPeers(t *testing.T) {
	trusted, err := ParseTrusted([]string{"10.0.0.0/8", " 192.0.2.7 ", "::1", ""})
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{
		"10.1.2.3:443":         true,
		"[::ffff:10.9.9.9]:80": true, // IPv4-mapped
		"192.0.2.7:1234":       true,
		"192.0.2.8:1234":       false,
		"[::1]:8080":           true,
		"[2001:db8::1]:8080":   false,
		"11.0.0.1:80":          false,
		"not-an-address":       false,
		"example.com:80":       false,
	} {
		if got := trusted.Peer(addr); got != want {
			t.Errorf("Peer(%q) = %v, want %v", addr, got, want)
		}
	}
	if (Trusted{}).Peer("127.0.0.1:1") {
		t.Error("the zero Trusted trusts a peer")
	}
	for _, bad := range []string{"10.0.0.0/33", "localhost", "10.0.0.256"} {
		if _, err := ParseTrusted([]string{bad}); err == nil {
			t.Errorf("ParseTrusted(%q) accepted", bad)
		}
	}
}
