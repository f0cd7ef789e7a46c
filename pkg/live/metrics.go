package live

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the feed's Prometheus metrics.
type Metrics struct {
	viewers       *prometheus.GaugeVec
	broadcastTime prometheus.Histogram
	commitToSend  prometheus.Histogram
	slowDrops     *prometheus.CounterVec
}

// NewMetrics creates the feed's metrics and registers them with reg (when not nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		viewers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tribune_live_subscribers", Help: "Websocket subscribers connected, per event.",
		}, []string{"event"}),
		broadcastTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tribune_live_broadcast_seconds", Help: "Time to encode one change and queue it to every subscriber.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}),
		commitToSend: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "tribune_live_commit_to_broadcast_seconds", Help: "Time from a change's commit to its broadcast.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 18),
		}),
		slowDrops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tribune_live_slow_disconnects_total", Help: "Subscribers disconnected (4008) because their queue was full.",
		}, []string{"event"}),
	}
	if reg != nil {
		reg.MustRegister(m.viewers, m.broadcastTime, m.commitToSend, m.slowDrops)
	}
	return m
}

func (m *Metrics) subscribed(eventID string, delta float64) {
	m.viewers.WithLabelValues(eventID).Add(delta)
}
func (m *Metrics) slowDisconnect(eventID string) { m.slowDrops.WithLabelValues(eventID).Inc() }
func (m *Metrics) broadcast(took, sinceCommit time.Duration) {
	m.broadcastTime.Observe(took.Seconds())
	m.commitToSend.Observe(sinceCommit.Seconds())
}
