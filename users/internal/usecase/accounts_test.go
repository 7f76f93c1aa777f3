package usecase_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/security"
	"github.com/mercato-shop/mercato/users/internal/store"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// newAccounts is the account use cases over a fresh database on the real
// embedded store, with a cheap password hash and a fixed clock.
func newAccounts(t *testing.T, now func() time.Time) *usecase.Service {
	t.Helper()
	ctx := context.Background()
	st := store.New(embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4}), nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	ring := security.NewKeyRing(st.SigningKeys(), security.KeyRingOptions{})
	if err := ring.EnsureKey(ctx); err != nil {
		t.Fatal(err)
	}
	hasher, err := security.NewPasswordHasher(argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 0)
	if err != nil {
		t.Fatal(err)
	}
	throttle := security.NewLoginThrottle(security.DefaultAccountPolicy, security.DefaultClientPolicy)
	return usecase.New(st, hasher, ring, throttle, usecase.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now})
}

func register(t *testing.T, svc *usecase.Service, email string) usecase.Tokens {
	t.Helper()
	tokens, err := svc.Register(context.Background(), domain.RegistrationInput{Email: email, Password: "correct horse battery", Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Access.Token == "" || tokens.Refresh == "" || tokens.User.ID == "" {
		t.Fatalf("register answered %+v", tokens)
	}
	return tokens
}

// A wrong password and an unknown email get the same error; the right
// password signs in; an email is taken once, whatever its case.
func TestLoginAnswersOneWayForEveryFailure(t *testing.T) {
	svc := newAccounts(t, time.Now)
	ctx := context.Background()
	ada := register(t, svc, "ada@shop.test")
	if _, err := svc.Register(ctx, domain.RegistrationInput{Email: "ADA@shop.test", Password: "another password", Name: "Eve"}); err == nil {
		t.Fatal("a second account with the same email (other case) was created")
	}
	wrong, errWrong := svc.Login(ctx, "ada@shop.test", "wrong password!", "192.0.2.1")
	_, errUnknown := svc.Login(ctx, "nobody@shop.test", "wrong password!", "192.0.2.1")
	if !errors.Is(errWrong, usecase.ErrInvalidCredentials) || !errors.Is(errUnknown, usecase.ErrInvalidCredentials) || wrong.Access.Token != "" {
		t.Fatalf("wrong password: %v; unknown email: %v; want ErrInvalidCredentials for both", errWrong, errUnknown)
	}
	ok, err := svc.Login(ctx, " Ada@Shop.test ", "correct horse battery", "192.0.2.1")
	if err != nil || ok.User.ID != ada.User.ID || ok.Refresh == ada.Refresh {
		t.Fatalf("login: %+v, %v; want ada's account with a new session", ok.User, err)
	}
}

// A refresh token works once: the rotation answers a new one, and the old
// one presented again revokes the session, so the new one stops working
// too (a stolen token is worth one use at most).
func TestARotatedRefreshTokenPresentedAgainRevokesTheSession(t *testing.T) {
	svc := newAccounts(t, time.Now)
	ctx := context.Background()
	first := register(t, svc, "grace@shop.test")
	second, err := svc.Refresh(ctx, first.Refresh)
	if err != nil || second.Refresh == first.Refresh || second.User.ID != first.User.ID {
		t.Fatalf("rotation: %+v, %v", second, err)
	}
	if _, err := svc.Refresh(ctx, first.Refresh); !errors.Is(err, domain.ErrRefreshTokenReused) {
		t.Fatalf("the rotated token again: %v, want ErrRefreshTokenReused", err)
	}
	if _, err := svc.Refresh(ctx, second.Refresh); !errors.Is(err, domain.ErrRefreshTokenInvalid) {
		t.Fatalf("the newest token after the reuse: %v, want ErrRefreshTokenInvalid (session revoked)", err)
	}
}

// Concurrent refreshes with one token rotate it once: exactly one caller
// gets a new token, the others are refused, whatever the interleaving of
// their guarded writes.
func TestConcurrentRefreshesOfOneTokenRotateItOnce(t *testing.T) {
	svc := newAccounts(t, time.Now)
	tokens := register(t, svc, "linus@shop.test")
	const callers = 8
	var wg sync.WaitGroup
	results := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := svc.Refresh(context.Background(), tokens.Refresh)
			results <- err
		})
	}
	wg.Wait()
	close(results)
	rotated := 0
	for err := range results {
		switch {
		case err == nil:
			rotated++
		case errors.Is(err, domain.ErrRefreshTokenReused), errors.Is(err, domain.ErrRefreshTokenInvalid),
			errors.Is(err, apperr.ErrConflict): // refused: reused, revoked, or still busy after its retries
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if rotated != 1 {
		t.Fatalf("%d callers rotated the token, want exactly 1", rotated)
	}
}

// Logging out ends the session: its refresh token no longer works, and a
// logout by another user changes nothing.
func TestLogoutEndsOnlyTheCallersSession(t *testing.T) {
	svc := newAccounts(t, time.Now)
	ctx := context.Background()
	ada := register(t, svc, "ada2@shop.test")
	eve := register(t, svc, "eve@shop.test")
	if err := svc.Logout(ctx, eve.User.ID, ada.Refresh); !errors.Is(err, domain.ErrRefreshTokenInvalid) {
		t.Fatalf("eve logging out ada's session: %v, want ErrRefreshTokenInvalid", err)
	}
	if err := svc.Logout(ctx, ada.User.ID, ada.Refresh); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Refresh(ctx, ada.Refresh); !errors.Is(err, domain.ErrRefreshTokenInvalid) {
		t.Fatalf("refresh after logout: %v, want ErrRefreshTokenInvalid", err)
	}
	if _, err := svc.Refresh(ctx, eve.Refresh); err != nil {
		t.Fatalf("eve's own session was touched: %v", err)
	}
}
