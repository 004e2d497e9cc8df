package engine

import "time"

// ticker is the one clock for every job: it turns byte counters into
// speed and ETA, sums up the totals, publishes coalesced progress, and
// stages progress for disk at a bounded rate (never once per chunk). Each
// tick visits only the running jobs and the ones with unsaved progress.
func (e *Engine) ticker() {
	defer close(e.tickDone)
	t := time.NewTicker(e.opts.Tick)
	defer t.Stop()
	lastTick, lastPersist := time.Now(), time.Now()
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
			e.tick(dt, persist)
		}
	}
}

func (e *Engine) tick(dt float64, persist bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var speed float64
	for j := range e.running {
		if j.State == Uploading && dt > 0 {
			// Speed counts bytes on the wire, which only grow; the offset
			// steps back to the server's after every dropped connection.
			moved := j.moved - j.lastMoved
			inst := float64(moved) / dt
			if j.Speed == 0 {
				j.Speed = inst
			} else {
				// A moving average over a few seconds: steady, yet quick
				// to show a stall.
				j.Speed = 0.7*j.Speed + 0.3*inst
			}
			j.ETA = 0
			if j.Speed > 1 {
				j.ETA = time.Duration(float64(j.Size-j.Offset) / j.Speed * float64(time.Second))
			}
			if moved != 0 {
				e.bus.publish(Event{Type: JobProgress, Job: j.view()})
			}
			if j.Speed > 1 {
				j.knownSpeed = j.Speed
			}
			speed += j.Speed
		}
		j.lastMoved = j.moved
		e.account(j)
	}
	if persist {
		for j := range e.dirty {
			e.save(j)
		}
	}
	e.totals.Speed, e.totals.ETA = speed, 0
	if speed > 1 {
		e.totals.ETA = time.Duration(float64(e.totals.BytesLeft) / speed * float64(time.Second))
	}
	// The counts move with every change, between ticks; subscribers hear
	// of them once a tick.
	if e.totals != e.told {
		e.told = e.totals
		e.bus.publish(Event{Type: TotalsChanged, Totals: e.totals})
	}
}
