package synth_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/segmint/segmint/synth"
)

func ExampleGenerate() {
	dir, err := os.MkdirTemp("", "synth-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sum, err := synth.Generate(context.Background(), dir, synth.Settings{Customers: 500, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(sum.Files), "events file,", sum.Customers, "customers,", sum.Events, "events")
	fmt.Println("window ends", sum.AsOf.Format(time.DateOnly))
	fmt.Println("hero customers:", sum.ByArchetype[synth.Hero])
	// Output:
	// 1 events file, 500 customers, 25720 events
	// window ends 2025-06-30
	// hero customers: 7
}

func ExampleArchetypes() {
	for _, a := range synth.Archetypes() {
		fmt.Printf("%s %.0f%%\n", a, synth.DefaultMix()[a])
	}
	// Output:
	// top_spenders 4%
	// hero 2%
	// loyal 6%
	// active 9%
	// new_customers 7%
	// one_time_buyers 9%
	// coupon_customers 6%
	// thrifty 6%
	// trend_followers 5%
	// cart_abandoners 7%
	// indecisive_prospects 5%
	// curious_prospects 8%
	// leads 5%
	// newsletter_subscribers 5%
	// at_risk 5%
	// dormant 7%
	// negative_experience 4%
}
