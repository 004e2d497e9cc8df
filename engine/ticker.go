package engine

import (
	"math"
	"time"
)

// ticker is the one clock for every job: it turns byte counters into
// speed and ETA, sums up the totals, publishes coalesced progress, and
// stages progress for disk at a bounded rate (never once per chunk). Each
// tick visits only the running jobs and the ones with unsaved progress.
func (e *Engine) ticker() {
	defer close(e.tickDone)
	t := time.NewTicker(e.opts.Tick)
	defer t.Stop()
	lastTick, lastPersist := time.Now(), time.Now()
	m := meter{idle: lastTick}
	for {
		select {
		case <-e.stopTick:
			return
		case now := <-t.C:
			dt := now.Sub(lastTick).Seconds()
			lastTick = now
			persist := now.Sub(lastPersist) >= e.opts.PersistEvery
			if persist {
				lastPersist = now
			}
			e.tick(&m, now, dt, persist)
		}
	}
}

// meter is what the ticker remembers between ticks.
type meter struct {
	sent int64     // Totals.Sent at the last tick
	idle time.Time // the last tick that found nothing to do
}

// speedWindow is the time constant of the moving averages: steady, yet
// quick to show a stall.
const speedWindow = 1400 * time.Millisecond

// smooth folds a new measurement into a moving average over speedWindow,
// whatever the tick; the first measurement is taken as it is.
func smooth(avg, inst, dt float64) float64 {
	if avg == 0 {
		return inst
	}
	a := 1 - math.Exp(-dt/speedWindow.Seconds())
	return avg + a*(inst-avg)
}

// first is the rate of the first bytes measured since start: transfers
// report bytes in bursts, so the first burst is spread over the time it
// took since the attempt (or the queue) began, not just the last tick.
func first(moved int64, dt float64, now, start time.Time) float64 {
	since := min(now.Sub(start), speedWindow).Seconds()
	return float64(moved) / max(dt, since)
}

// eta is the time n bytes take at bps; 0 when unknown.
func eta(n int64, bps float64) time.Duration {
	if bps < 1 || n <= 0 {
		return 0
	}
	return time.Duration(min(float64(n)/bps, float64(math.MaxInt64/2)/1e9) * float64(time.Second))
}

func (e *Engine) tick(m *meter, now time.Time, dt float64, persist bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	dt = max(dt, e.opts.Tick.Seconds()/100) // a clock that did not move
	var slowest time.Duration
	connecting := 0
	for j := range e.running {
		if j.State == Uploading {
			// Speed counts bytes on the wire, which only grow; the offset
			// steps back to the server's after every dropped connection.
			moved := j.moved - j.lastMoved
			inst := float64(moved) / dt
			if j.Speed == 0 {
				inst = first(moved, dt, now, time.Unix(0, j.tried))
			}
			j.Speed = smooth(j.Speed, inst, dt)
			if j.Speed < 1 {
				j.Speed = 0
			}
			slowest = max(slowest, eta(j.Size-j.Offset, j.Speed))
			if moved != 0 {
				e.bus.Publish(Event{Type: JobProgress, Job: j.view()})
			}
			if j.Speed > 1 {
				j.knownSpeed = j.Speed
			}
			if !j.flowing {
				connecting++
			}
		}
		j.lastMoved = j.moved
		e.account(j)
	}
	if persist {
		for j := range e.dirty {
			e.save(j)
		}
	}
	// The queue's speed is its counter's: the bytes of a job that started
	// and finished between two ticks (a folder of small files) count as
	// much as those of a job still running.
	moved := e.totals.Sent - m.sent
	m.sent = e.totals.Sent
	speed := 0.0
	switch {
	// Slots in use, not Count(Uploading): a slot passing from a finished job to the
	// next one is no pause.
	case moved == 0 && len(e.running) == e.sleeping:
		m.idle = now
	case e.totals.Speed == 0:
		speed = first(moved, dt, now, m.idle)
	default:
		speed = smooth(e.totals.Speed, float64(moved)/dt, dt)
	}
	if speed < 1 {
		speed = 0
	}
	e.totals.Speed, e.totals.Connecting = speed, connecting
	// The whole cannot be done before its slowest part; paused files wait
	// for a person, not for the network.
	e.totals.ETA = max(eta(e.totals.BytesLeft-e.totals.Paused, speed), slowest)
	if e.totals.FilesLeft == 0 {
		e.totals.ETA = 0
	}
	// The counts move with every change, between ticks; subscribers hear
	// of them once a tick.
	if e.totals != e.told {
		e.told = e.totals
		e.bus.Publish(Event{Type: TotalsChanged, Totals: e.totals})
	}
}
