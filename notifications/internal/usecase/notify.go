package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/mailer"
	"github.com/mercato-shop/mercato/notifications/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// queue records a notification for (eventID, recipient, kind) and wakes
// the mail worker; the same triple again changes nothing.
//
// While the mail worker has room, a new notification is queued leased to
// this process and handed to the worker as it is, so sending it costs no
// claim and no read (two store commands fewer per email); a crash before
// the send leaves it to any replica's sweep once the lease expires. When
// the worker is behind, the notification is queued unleased and the worker
// or a sweep claims it as before.
func (s *Service) queue(ctx context.Context, eventID, recipientID string, kind domain.Kind, fill func(*domain.Notification)) error {
	now := s.now()
	n := domain.Notification{ID: domain.NotificationID(eventID, recipientID, kind), EventID: eventID, Kind: kind,
		RecipientID: recipientID, CreatedAt: now, NextTryAt: now, Status: domain.StatusQueued}
	if fill != nil {
		fill(&n)
	}
	var leaseUntil time.Time
	direct := len(s.wakeMail) < cap(s.wakeMail)/2
	if direct {
		leaseUntil = now.Add(s.opts.Lease)
	}
	fresh, err := s.st.Enqueue(ctx, n, leaseUntil)
	if err != nil {
		return err
	}
	if !fresh || !direct {
		wake(s.wakeMail, n.ID)
		return nil
	}
	select {
	case s.wakeMail <- wakeup{id: n.ID, leased: &n, leaseUntil: leaseUntil}:
	case <-ctx.Done(): // the lease expires and a sweep sends it
	}
	return nil
}

// sendNotification claims nothing itself (claimAndDo did): it reads one
// queued email and sends it.
func (s *Service) sendNotification(ctx context.Context, id string) error {
	n, err := s.st.Notification(ctx, id)
	if err != nil {
		return err
	}
	return s.send(ctx, n)
}

// send sends queued email n, which this worker holds the lease of, and
// records the outcome. A crash after the SMTP server accepted the email
// and before Settle recorded it sends it once more after the lease
// expires, with the same Message-ID: the service errs on the side of a
// duplicate, never a loss.
func (s *Service) send(ctx context.Context, n domain.Notification) error {
	if n.Status != domain.StatusQueued {
		return s.st.Settle(ctx, n) // done already: only drop the queue entry
	}
	n.Attempts++
	contact, err := s.st.Contact(ctx, n.RecipientID)
	if store.IsNotFound(err) {
		// users.events may lag behind orders.events: wait for the directory.
		return s.retry(ctx, n, fmt.Errorf("recipient %s not in the directory yet", n.RecipientID))
	}
	if err != nil {
		return err
	}
	if !n.Kind.Transactional() { // transactional emails go out whatever the preferences say
		prefs, err := s.st.Preferences(ctx, contact.ID)
		if err != nil {
			return err
		}
		if !prefs.Wants(n.Kind) {
			n.Status, n.Email = domain.StatusSuppressed, contact.Email
			emailsTotal.WithLabelValues(string(n.Kind), "suppressed").Inc()
			return s.st.Settle(ctx, n)
		}
	}
	email, err := s.compose(ctx, n, contact)
	if err != nil {
		return err
	}
	n.Email, n.MessageID = email.To, email.MessageID
	if err := s.sender.Send(ctx, email); err != nil {
		if errors.Is(err, mailer.ErrPermanent) {
			n.Status, n.LastError = domain.StatusFailed, err.Error()
			emailsTotal.WithLabelValues(string(n.Kind), "failed").Inc()
			s.opts.Logger.WarnContext(ctx, "email refused for good", "notification", n.ID, "kind", n.Kind, "error", err.Error())
			return s.st.Settle(ctx, n)
		}
		return s.retry(ctx, n, err)
	}
	n.Status, n.LastError, n.SentAt = domain.StatusSent, "", s.now()
	emailsTotal.WithLabelValues(string(n.Kind), "sent").Inc()
	observeSent(n.CreatedAt)
	// The email is out: record it even if shutdown began meanwhile.
	settleCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return s.st.Settle(settleCtx, n)
}

// retry schedules the next attempt, or records the failure once the
// policy gives up.
func (s *Service) retry(ctx context.Context, n domain.Notification, cause error) error {
	n.LastError = cause.Error()
	next, ok := s.opts.MailRetry.Next(n.Attempts, n.CreatedAt, s.now())
	outcome := "retried"
	if !ok {
		n.Status, outcome = domain.StatusFailed, "failed"
		s.opts.Logger.WarnContext(ctx, "email given up", "notification", n.ID, "attempts", n.Attempts, "error", n.LastError)
	} else {
		n.NextTryAt = next
	}
	emailsTotal.WithLabelValues(string(n.Kind), outcome).Inc()
	return s.st.Settle(ctx, n)
}

// compose renders the email of n for contact, with the store names of the
// order's merchants.
func (s *Service) compose(ctx context.Context, n domain.Notification, contact domain.Contact) (mailer.Email, error) {
	stores := map[string]string{}
	for _, m := range domain.MerchantsOf(n.Lines) {
		mc, err := contact, error(nil) // a merchant's own email names its store
		if id := domain.MerchantRecipient(m); id != n.RecipientID {
			mc, err = s.st.Contact(ctx, id)
		}
		switch {
		case err == nil && mc.StoreName != "":
			stores[m] = mc.StoreName
		case err == nil:
			stores[m] = mc.Name
		case !store.IsNotFound(err):
			return mailer.Email{}, err
		}
	}
	view := mailer.NewView(n, contact.Name, stores)
	text, html, err := s.renderer.Render(view)
	if err != nil {
		return mailer.Email{}, err
	}
	return mailer.Email{To: contact.Email, ToName: contact.Name, Subject: view.Subject, Text: text, HTML: html,
		MessageID: n.ID + "@" + s.opts.MessageIDDomain}, nil
}

// Replay sends a failed (or suppressed) notification again: the
// operator's move after fixing the cause. A sent one is a conflict.
func (s *Service) Replay(ctx context.Context, id string) (domain.Notification, error) {
	n, err := s.st.Notification(ctx, id)
	if err != nil {
		return domain.Notification{}, err
	}
	if n.Status == domain.StatusSent {
		return domain.Notification{}, fmt.Errorf("replay %s: already sent: %w", id, apperr.ErrConflict)
	}
	n, err = s.st.Requeue(ctx, id, s.now())
	if err != nil {
		return domain.Notification{}, err
	}
	wake(s.wakeMail, id)
	return n, nil
}

// Notification returns one notification (operators, tests).
func (s *Service) Notification(ctx context.Context, id string) (domain.Notification, error) {
	return s.st.Notification(ctx, id)
}

// Preferences returns a user's preferences.
func (s *Service) Preferences(ctx context.Context, userID string) (domain.Preferences, error) {
	return s.st.Preferences(ctx, userID)
}

// SetPreferences turns kinds on or off for a user; an unknown kind or a
// transactional one turned off is a validation error and stores nothing.
func (s *Service) SetPreferences(ctx context.Context, userID string, enabled map[string]bool) (domain.Preferences, error) {
	current, err := s.st.Preferences(ctx, userID)
	if err != nil {
		return domain.Preferences{}, err
	}
	next, problems := current.Apply(enabled)
	if len(problems) > 0 {
		v := apperr.Validation()
		for _, p := range problems {
			v.Add(p.Field, p.Message)
		}
		return domain.Preferences{}, v
	}
	if err := s.st.SavePreferences(ctx, next); err != nil {
		return domain.Preferences{}, err
	}
	return next, nil
}
