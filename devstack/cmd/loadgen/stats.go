package main

import (
	"math"
	"slices"
	"time"
)

// percentile is the p-th percentile (0–100) of sorted durations, nearest
// rank; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}

// sorted returns a sorted copy of ds.
func sorted(ds []time.Duration) []time.Duration {
	out := slices.Clone(ds)
	slices.Sort(out)
	return out
}

// quantiles are the figures of one latency distribution.
type quantiles struct {
	n                  int
	p50, p90, p99, max time.Duration
}

func quantilesOf(ds []time.Duration) quantiles {
	s := sorted(ds)
	q := quantiles{n: len(s), p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99)}
	if len(s) > 0 {
		q.max = s[len(s)-1]
	}
	return q
}

// histogram counts durations in logarithmic buckets, perDecade to a power
// of ten; bucket i holds [bound(i), bound(i+1)).
type histogram struct {
	perDecade int
	first     int // exponent index of the first bucket: bound(0) = 10^(first/perDecade) µs
	counts    []int
}

// bound is the lower edge of bucket i.
func (h histogram) bound(i int) time.Duration {
	return time.Duration(math.Pow(10, float64(h.first+i)/float64(h.perDecade)) * float64(time.Microsecond))
}

// newHistogram spans the durations' range (at least 1 µs) with perDecade
// buckets per power of ten.
func newHistogram(ds []time.Duration, perDecade int) histogram {
	h := histogram{perDecade: perDecade}
	if len(ds) == 0 {
		return h
	}
	index := func(d time.Duration) int {
		us := max(1, float64(d)/float64(time.Microsecond))
		return int(math.Floor(math.Log10(us) * float64(perDecade)))
	}
	lo, hi := index(slices.Min(ds)), index(slices.Max(ds))
	h.first = lo
	h.counts = make([]int, hi-lo+1)
	for _, d := range ds {
		h.counts[index(d)-lo]++
	}
	return h
}

// timeline buckets a run into equal windows for the plots.
type timeline struct {
	width   time.Duration
	buckets int
}

// newTimeline picks a window of whole seconds so that a run of length
// fits in at most maxBuckets windows.
func newTimeline(length time.Duration, maxBuckets int) timeline {
	width := time.Second
	for time.Duration(maxBuckets)*width < length {
		width += time.Second
	}
	return timeline{width: width, buckets: int(length/width) + 1}
}

// index is the window of offset at (clamped to the timeline).
func (t timeline) index(at time.Duration) int {
	return max(0, min(int(at/t.width), t.buckets-1))
}

// series is one plotted line: a value per window (NaN: no data).
type series struct {
	name   string
	values []float64
}

// rate counts events per window and divides by the window in seconds.
func (t timeline) rate(name string, ats []time.Duration) series {
	s := series{name: name, values: make([]float64, t.buckets)}
	for _, at := range ats {
		s.values[t.index(at)]++
	}
	for i := range s.values {
		s.values[i] /= t.width.Seconds()
	}
	return s
}

// percentiles gives, per window, the p-th percentile in milliseconds of
// the latencies whose event fell in it (NaN for an empty window).
func (t timeline) percentiles(name string, ats, latencies []time.Duration, p float64) series {
	byBucket := make([][]time.Duration, t.buckets)
	for i, at := range ats {
		b := t.index(at)
		byBucket[b] = append(byBucket[b], latencies[i])
	}
	s := series{name: name, values: make([]float64, t.buckets)}
	for i, ds := range byBucket {
		if len(ds) == 0 {
			s.values[i] = math.NaN()
			continue
		}
		s.values[i] = msFloat(percentile(sorted(ds), p))
	}
	return s
}

// msFloat is d in milliseconds.
func msFloat(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
