package planted

import (
	"maps"
	"slices"

	"github.com/segmint/segmint/synth"
)

// Variant is one planted data set of the robustness suite: the generator's
// defaults with one family of parameters moved well away.
type Variant struct {
	Name string
	// Hard variants do not meet the suite's floors today; the core
	// module's TestRobustness leaves them out.
	Hard bool
	Set  func(*synth.Settings)
}

// scaledMix halves the weight of every other archetype (in id order) and
// doubles the rest, or the reverse.
func scaledMix(oddHalved bool) map[string]float64 {
	mix := synth.DefaultMix()
	for i, id := range slices.Sorted(maps.Keys(mix)) {
		if (i%2 == 1) == oddHalved {
			mix[id] *= 0.5
		} else {
			mix[id] *= 2
		}
	}
	return mix
}

// Variants are the robustness suite's data sets (those of pipeline's
// TestRobustness, then the hard ones), each of 3,000 customers, seed 7.
func Variants() []Variant {
	return []Variant{
		{Name: "default", Set: func(*synth.Settings) {}},
		{Name: "shares ×0.5/×2", Set: func(s *synth.Settings) { s.Mix = scaledMix(true) }},
		{Name: "shares ×2/×0.5", Set: func(s *synth.Settings) { s.Mix = scaledMix(false) }},
		{Name: "prices ×0.2", Set: func(s *synth.Settings) { s.PriceScale = 0.2 }},
		{Name: "prices ×5", Set: func(s *synth.Settings) { s.PriceScale = 5 }},
		{Name: "quantities 1–6", Set: func(s *synth.Settings) { s.QuantityMax = 6 }},
		{Name: "4 months", Set: func(s *synth.Settings) { s.Days = synth.MinDays }},
		{Name: "12 months", Set: func(s *synth.Settings) { s.Days = 365 }},
		{Name: "events per visit ×3", Set: func(s *synth.Settings) { s.Scale = 3 }},
		{Name: "gaps ×1.5", Set: func(s *synth.Settings) { s.GapScale = 1.5 }},
		{Name: "noise 1%", Set: func(s *synth.Settings) { s.NoiseShare = 0.01 }},
		{Name: "gaps ×0.5", Set: func(s *synth.Settings) { s.GapScale = 0.5 }},
		{Name: "unlisted behaviour", Set: func(s *synth.Settings) {
			s.Mix = synth.DefaultMix()
			s.Mix[synth.ComparisonShoppers] = 6
		}},
		// A noise view moves a customer's first and last event (tenure,
		// recency) that several rules read.
		{Name: "noise 5%", Hard: true, Set: func(s *synth.Settings) { s.NoiseShare = 0.05 }},
		// 90 days hold only 2–3 of a thrifty customer's orders, and the
		// dormant archetype needs 90 silent days after a history.
		{Name: "3 months, no dormant", Hard: true, Set: func(s *synth.Settings) {
			s.Days = 90
			s.Mix = synth.DefaultMix()
			delete(s.Mix, synth.Dormant)
		}},
	}
}
