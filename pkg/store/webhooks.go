package store

import (
	"context"
	"fmt"
	"time"

	"github.com/tribune-act/tribune/pkg/agenda"
	"gorm.io/gorm"
)

// Webhook is an organizer's URL that receives every committed change of one event.
// DeliveredVersion is the last version the URL acknowledged; the changes after it
// are delivered in order. The secret signs each delivery and is never shown again.
type Webhook struct {
	ID               string    `json:"id"`
	EventID          string    `json:"event_id"`
	URL              string    `json:"url"`
	Secret           string    `json:"-"`
	CreatedBy        string    `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
	DeliveredVersion int64     `json:"delivered_version"`
	// EventVersion is the event's current version (filled by DueWebhooks and Webhooks).
	EventVersion int64 `json:"event_version" gorm:"-"`
}

type webhookRow struct {
	ID               string
	EventID          string
	URL              string `gorm:"column:url"`
	Secret           string
	CreatedBy        string
	CreatedAt        time.Time
	DeliveredVersion int64
	LeaseOwner       string
	LeaseUntil       *time.Time
	EventVersion     int64 `gorm:"->;-:migration"`
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) domain() Webhook {
	return Webhook{
		ID: r.ID, EventID: r.EventID, URL: r.URL, Secret: r.Secret, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), DeliveredVersion: r.DeliveredVersion, EventVersion: r.EventVersion,
	}
}

// WebhookDelivery is one attempt to deliver one change to one webhook.
type WebhookDelivery struct {
	ID         string    `json:"id"`
	WebhookID  string    `json:"-"`
	Version    int64     `json:"version"`
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
}

// TableName is the delivery log's table.
func (WebhookDelivery) TableName() string { return "webhook_deliveries" }

// deliveriesKept bounds the log: the latest attempts of each webhook.
const deliveriesKept = 200

// CreateWebhook registers a webhook; it receives the changes committed after the
// event's current version.
func (s *Store) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ev eventRow
		if err := notFound(tx.Select("version").Where("id = ?", w.EventID).Take(&ev).Error, "event"); err != nil {
			return err
		}
		w.DeliveredVersion, w.EventVersion = ev.Version, ev.Version
		w.CreatedAt = s.now()
		return tx.Create(&webhookRow{
			ID: w.ID, EventID: w.EventID, URL: w.URL, Secret: w.Secret, CreatedBy: w.CreatedBy,
			CreatedAt: w.CreatedAt, DeliveredVersion: w.DeliveredVersion,
		}).Error
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("store: unable to create webhook: %w", err)
	}
	return w, nil
}

func (s *Store) webhooks(db *gorm.DB) *gorm.DB {
	return db.Table("webhooks").Select("webhooks.*, events.version AS event_version").
		Joins("JOIN events ON events.id = webhooks.event_id")
}

// Webhooks lists an event's webhooks, oldest first.
func (s *Store) Webhooks(ctx context.Context, eventID string) ([]Webhook, error) {
	var rows []webhookRow
	if err := s.webhooks(s.read.WithContext(ctx)).Where("webhooks.event_id = ?", eventID).Order("webhooks.id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unable to read webhooks: %w", err)
	}
	out := make([]Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Webhook reads one webhook of an event.
func (s *Store) Webhook(ctx context.Context, eventID, id string) (Webhook, error) {
	var r webhookRow
	err := s.webhooks(s.read.WithContext(ctx)).Where("webhooks.event_id = ? AND webhooks.id = ?", eventID, id).Take(&r).Error
	if err := notFound(err, "webhook"); err != nil {
		return Webhook{}, err
	}
	return r.domain(), nil
}

// DeleteWebhook removes a webhook and its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, eventID, id string) error {
	res := s.write.WithContext(ctx).Where("event_id = ? AND id = ?", eventID, id).Delete(&webhookRow{})
	if res.Error != nil {
		return fmt.Errorf("store: unable to delete webhook: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: webhook: %w", agenda.ErrNotFound)
	}
	return nil
}

// DueWebhooks lists the webhooks that lag behind their event's version and that no
// other instance holds a lease on.
func (s *Store) DueWebhooks(ctx context.Context, owner string) ([]Webhook, error) {
	var rows []webhookRow
	err := s.webhooks(s.read.WithContext(ctx)).
		Where("webhooks.delivered_version < events.version").
		Where("webhooks.lease_until IS NULL OR webhooks.lease_until < ? OR webhooks.lease_owner = ?", s.now(), owner).
		Order("webhooks.id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to read due webhooks: %w", err)
	}
	out := make([]Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// LeaseWebhook gives owner the webhook until the given time, unless another owner
// holds an unexpired lease: one instance delivers a webhook's changes at a time,
// so they arrive in order even with several instances.
func (s *Store) LeaseWebhook(ctx context.Context, id, owner string, until time.Time) (bool, error) {
	res := s.write.WithContext(ctx).Model(&webhookRow{}).
		Where("id = ? AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?)", id, s.now(), owner).
		Updates(map[string]any{"lease_owner": owner, "lease_until": until.UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("store: unable to lease webhook: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseWebhook gives up owner's lease on the webhook, so that another instance
// (or this one after a restart) may deliver it at once.
func (s *Store) ReleaseWebhook(ctx context.Context, id, owner string) error {
	err := s.write.WithContext(ctx).Model(&webhookRow{}).Where("id = ? AND lease_owner = ?", id, owner).
		Updates(map[string]any{"lease_owner": "", "lease_until": nil}).Error
	if err != nil {
		return fmt.Errorf("store: unable to release webhook: %w", err)
	}
	return nil
}

// WebhookDelivered records that the webhook acknowledged every change up to version.
func (s *Store) WebhookDelivered(ctx context.Context, id string, version int64) error {
	err := s.write.WithContext(ctx).Model(&webhookRow{}).Where("id = ? AND delivered_version < ?", id, version).
		Update("delivered_version", version).Error
	if err != nil {
		return fmt.Errorf("store: unable to advance webhook: %w", err)
	}
	return nil
}

// LogDelivery appends an attempt to the webhook's delivery log, keeping the latest ones.
func (s *Store) LogDelivery(ctx context.Context, d WebhookDelivery) error {
	d.ID = NewID()
	err := s.write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		var old []string
		if err := tx.Model(&WebhookDelivery{}).Where("webhook_id = ?", d.WebhookID).Order("id DESC").
			Offset(deliveriesKept).Limit(1000).Pluck("id", &old).Error; err != nil {
			return err
		}
		if len(old) == 0 {
			return nil
		}
		return tx.Where("id IN ?", old).Delete(&WebhookDelivery{}).Error
	})
	if err != nil {
		return fmt.Errorf("store: unable to log delivery: %w", err)
	}
	return nil
}

// WebhookDeliveries returns the webhook's latest delivery attempts, newest first.
func (s *Store) WebhookDeliveries(ctx context.Context, webhookID string, limit int) ([]WebhookDelivery, error) {
	out := []WebhookDelivery{}
	err := s.read.WithContext(ctx).Where("webhook_id = ?", webhookID).Order("id DESC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: unable to read deliveries: %w", err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}
