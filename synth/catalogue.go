package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// categoryClass groups categories by the kind of shopping they serve.
type categoryClass uint8

const (
	classEveryday   categoryClass = iota // mid-priced goods bought by everyone
	classPremium                         // expensive durables (median price >= 350)
	classConsumable                      // cheap goods that run out and are re-bought
)

// categorySpec is one row of the fixed category table.
type categorySpec struct {
	code   string  // REES46-style dotted code; "" for the categories with no code
	median float64 // median unit price
	sigma  float64 // log-normal spread of unit prices
	weight float64 // share of shopping attention
	class  categoryClass
	brands []string
}

// categoryTable is the fixed set of categories. Codes follow the REES46
// naming; three categories carry no code, as in the real dump, where many
// rows have a category_id but a null category_code.
var categoryTable = []categorySpec{
	{"electronics.smartphone", 260, 0.65, 6, classEveryday, []string{"samsung", "apple", "xiaomi", "huawei", "oppo"}},
	{"electronics.audio.headphone", 60, 0.8, 5, classEveryday, []string{"sony", "jbl", "apple", "xiaomi", "samsung"}},
	{"electronics.video.tv", 480, 0.6, 1.5, classPremium, []string{"samsung", "lg", "sony", "philips"}},
	{"electronics.clocks", 170, 0.8, 3, classEveryday, []string{"apple", "samsung", "garmin", "casio"}},
	{"electronics.tablet", 360, 0.55, 1, classPremium, []string{"apple", "samsung", "lenovo"}},
	{"electronics.camera.photo", 650, 0.7, 0.5, classPremium, []string{"canon", "nikon", "sony", "fujifilm"}},
	{"computers.notebook", 820, 0.5, 1.5, classPremium, []string{"lenovo", "hp", "asus", "acer", "apple"}},
	{"computers.desktop", 900, 0.5, 0.5, classPremium, []string{"hp", "dell", "lenovo"}},
	{"computers.peripherals.mouse", 22, 0.6, 3, classEveryday, []string{"logitech", "a4tech", "razer"}},
	{"computers.peripherals.printer", 160, 0.6, 1, classEveryday, []string{"hp", "canon", "epson"}},
	{"computers.components.videocards", 520, 0.7, 0.5, classPremium, []string{"msi", "asus", "gigabyte"}},
	{"appliances.kitchen.refrigerators", 640, 0.5, 1, classPremium, []string{"samsung", "lg", "bosch", "indesit", "beko"}},
	{"appliances.kitchen.washer", 420, 0.4, 1, classPremium, []string{"samsung", "lg", "bosch", "beko"}},
	{"appliances.kitchen.microwave", 110, 0.5, 2, classEveryday, []string{"samsung", "lg", "midea"}},
	{"appliances.kitchen.kettle", 30, 0.6, 2, classEveryday, []string{"tefal", "philips", "bosch"}},
	{"appliances.kitchen.coffee_machine", 260, 0.8, 1, classEveryday, []string{"delonghi", "philips", "krups"}},
	{"appliances.environment.vacuum", 190, 0.7, 3, classEveryday, []string{"samsung", "philips", "dyson", "xiaomi"}},
	{"appliances.environment.air_conditioner", 520, 0.5, 0.5, classPremium, []string{"lg", "samsung", "midea"}},
	{"appliances.personal.hair_cutter", 35, 0.6, 2, classEveryday, []string{"philips", "braun", "remington"}},
	{"appliances.iron", 40, 0.5, 2, classEveryday, []string{"tefal", "philips", "braun"}},
	{"furniture.living_room.sofa", 720, 0.6, 0.5, classPremium, []string{"askona", "ikea"}},
	{"furniture.bedroom.bed", 540, 0.6, 0.5, classPremium, []string{"askona", "ikea"}},
	{"furniture.kitchen.table", 210, 0.6, 1, classEveryday, []string{"ikea", "stolline"}},
	{"apparel.shoes", 80, 0.6, 6, classEveryday, []string{"nike", "adidas", "puma", "reebok"}},
	{"apparel.shirt", 35, 0.5, 4, classEveryday, []string{"zara", "mango", "uniqlo"}},
	{"apparel.jeans", 50, 0.5, 3, classEveryday, []string{"levis", "wrangler", "lee"}},
	{"apparel.costume", 120, 0.6, 2, classEveryday, []string{"zara", "mango", "hugo"}},
	{"accessories.bag", 60, 0.8, 3, classEveryday, []string{"samsonite", "polar", "kipling"}},
	{"accessories.wallet", 30, 0.6, 2, classEveryday, []string{"tommy", "lacoste"}},
	{"jewelry.ring", 260, 1.0, 0.5, classPremium, []string{"pandora", "sokolov"}},
	{"jewelry.earring", 190, 1.0, 1, classEveryday, []string{"pandora", "sokolov"}},
	{"kids.toys", 25, 0.8, 5, classEveryday, []string{"lego", "hasbro", "mattel"}},
	{"kids.carriage", 260, 0.5, 1, classEveryday, []string{"chicco", "cybex"}},
	{"sport.bicycle", 460, 0.6, 0.5, classPremium, []string{"stels", "forward", "trek"}},
	{"construction.tools.drill", 90, 0.6, 2, classEveryday, []string{"bosch", "makita", "dewalt"}},
	{"construction.tools.light", 18, 0.6, 1, classEveryday, []string{"osram", "philips"}},
	{"auto.accessories.player", 80, 0.7, 1, classEveryday, []string{"pioneer", "sony"}},
	{"country_yard.lawn_mower", 260, 0.5, 1, classEveryday, []string{"husqvarna", "bosch"}},
	{"medicine.tools.tonometer", 45, 0.4, 1, classEveryday, []string{"omron", "and"}},
	{"stationery.cartrige", 24, 0.5, 2, classConsumable, []string{"hp", "canon"}},
	{"beauty.cosmetics", 15, 0.6, 4, classConsumable, []string{"loreal", "nivea", "garnier"}},
	{"household.cleaning", 8, 0.5, 3, classConsumable, []string{"ariel", "persil", "fairy"}},
	{"pet.food", 20, 0.6, 3, classConsumable, []string{"royal_canin", "purina", "whiskas"}},
	{"food.coffee", 12, 0.4, 2, classConsumable, []string{"lavazza", "jacobs"}},
	{"", 45, 0.9, 3, classEveryday, []string{"", "lucente", "ritmix"}},
	{"", 110, 0.9, 2, classEveryday, []string{"", "elari", "vitek"}},
	{"", 9, 0.5, 2, classConsumable, []string{"", "ecover"}},
}

// Catalogue sizes. Initial products exist before the window starts; new
// products launch at a steady rate during the window.
const (
	initialProducts    = 2400
	launchesPerDay     = 8
	brandlessShare     = 0.08 // share of products with a null brand
	productIDBase      = 1_000_000
	categoryIDBase     = 2_053_013_550_000_000_000
	day                = 86400 // seconds
	launchSpreadDays   = 720   // initial products launched up to this many days before Start
	popularityExponent = 0.9   // Zipf exponent of product popularity within a category
)

// product is one catalogue entry.
type product struct {
	id     int64
	cat    int16
	brand  string
	price  float64
	launch int64 // seconds relative to Start; negative for initial products
}

// categoryIndex lists one category's products in launch order with the
// cumulative popularity used for weighted draws.
type categoryIndex struct {
	products []int32   // catalogue indexes, ascending launch
	launch   []int64   // launch time of products[i]
	cum      []float64 // cumulative popularity of products[:i+1]
}

// catalogue is the product table shared, read-only, by all customers.
type catalogue struct {
	products   []product
	categories []categoryIndex
	catIDs     []int64
	catCum     []float64 // cumulative category weights
	premium    []int16   // categories of classPremium
	luxury     []int16   // premium categories with a median price of at least 450
	consumable []int16   // categories of classConsumable
	everyday   []int16   // categories of classEveryday
	valued     []int16   // everyday and premium categories
	launched   []int32   // products launched inside the window, ascending launch
	launchedAt []int64   // launch time of launched[i]
}

// newCatalogue builds the catalogue from its own random stream so that it
// does not depend on the number of customers.
func newCatalogue(seed uint64, days int) *catalogue {
	rng := rand.New(rand.NewPCG(seed, 0x5eed_ca7a_1064e))
	c := &catalogue{
		categories: make([]categoryIndex, len(categoryTable)),
		catIDs:     make([]int64, len(categoryTable)),
		catCum:     make([]float64, len(categoryTable)),
	}
	var total float64
	for i, spec := range categoryTable {
		c.catIDs[i] = categoryIDBase + int64(i)*7_919_000_003 + int64(rng.IntN(1_000_000))
		total += spec.weight
		c.catCum[i] = total
		switch spec.class {
		case classPremium:
			c.premium = append(c.premium, int16(i))
			if spec.median >= 450 {
				c.luxury = append(c.luxury, int16(i))
			}
		case classConsumable:
			c.consumable = append(c.consumable, int16(i))
		default:
			c.everyday = append(c.everyday, int16(i))
		}
		if spec.class != classConsumable {
			c.valued = append(c.valued, int16(i))
		}
	}
	launches := launchesPerDay * days
	c.products = make([]product, 0, initialProducts+launches)
	for range initialProducts {
		launch := -int64(rng.Float64() * launchSpreadDays * day)
		c.products = append(c.products, c.newProduct(rng, c.drawCategory(rng.Float64()), launch))
	}
	// Launch times inside the window: sorted uniform draws, so ids grow
	// with launch time as shop ids usually do.
	times := make([]int64, launches)
	for i := range times {
		times[i] = int64(rng.Float64() * float64(days) * day)
	}
	slices.Sort(times)
	for _, t := range times {
		c.products = append(c.products, c.newProduct(rng, c.drawCategory(rng.Float64()), t))
	}
	// Popularity: a Zipf weight on a random rank within each category.
	members := make([][]int32, len(categoryTable))
	for i := range c.products {
		members[c.products[i].cat] = append(members[c.products[i].cat], int32(i))
	}
	for ci, idx := range members {
		weights := make([]float64, len(idx))
		perm := rng.Perm(len(idx))
		for k := range idx {
			weights[k] = 1 / math.Pow(float64(perm[k]+1), popularityExponent)
		}
		order := make([]int, len(idx))
		for k := range order {
			order[k] = k
		}
		sort.SliceStable(order, func(a, b int) bool {
			return c.products[idx[order[a]]].launch < c.products[idx[order[b]]].launch
		})
		ix := categoryIndex{
			products: make([]int32, len(idx)),
			launch:   make([]int64, len(idx)),
			cum:      make([]float64, len(idx)),
		}
		var run float64
		for k, o := range order {
			ix.products[k] = idx[o]
			ix.launch[k] = c.products[idx[o]].launch
			run += weights[o]
			ix.cum[k] = run
		}
		c.categories[ci] = ix
	}
	for i := range c.products {
		if c.products[i].launch >= 0 {
			c.launched = append(c.launched, int32(i))
			c.launchedAt = append(c.launchedAt, c.products[i].launch)
		}
	}
	return c
}

func (c *catalogue) newProduct(rng *rand.Rand, cat int16, launch int64) product {
	spec := &categoryTable[cat]
	price := spec.median * math.Exp(spec.sigma*rng.NormFloat64())
	price = math.Round(price*100) / 100
	if price < 0.5 {
		price = 0.5
	}
	brand := spec.brands[rng.IntN(len(spec.brands))]
	if rng.Float64() < brandlessShare {
		brand = ""
	}
	return product{
		id:     productIDBase + int64(len(c.products))*3 + int64(rng.IntN(3)),
		cat:    cat,
		brand:  brand,
		price:  price,
		launch: launch,
	}
}

// drawCategory maps u in [0,1) to a category by attention weight.
func (c *catalogue) drawCategory(u float64) int16 {
	target := u * c.catCum[len(c.catCum)-1]
	i, _ := slices.BinarySearch(c.catCum, target)
	if i >= len(c.catCum) {
		i = len(c.catCum) - 1
	}
	return int16(i)
}

// pick draws a product of category cat launched at or before latest, by
// popularity. It returns -1 when no product qualifies.
func (c *catalogue) pick(rng *rand.Rand, cat int16, latest int64) int32 {
	ix := &c.categories[cat]
	n, _ := slices.BinarySearch(ix.launch, latest+1)
	if n == 0 {
		return -1
	}
	target := rng.Float64() * ix.cum[n-1]
	k, _ := slices.BinarySearch(ix.cum[:n], target)
	if k >= n {
		k = n - 1
	}
	return ix.products[k]
}

// pickPriced draws |bias| products as pick does and keeps the most expensive
// (bias > 0) or the cheapest (bias < 0) of them; bias 0 is a plain draw.
func (c *catalogue) pickPriced(rng *rand.Rand, cat int16, latest int64, bias int) int32 {
	best := c.pick(rng, cat, latest)
	if best < 0 {
		return best
	}
	draws := bias
	if draws < 0 {
		draws = -draws
	}
	for k := 1; k < draws; k++ {
		p := c.pick(rng, cat, latest)
		if (bias > 0 && c.products[p].price > c.products[best].price) ||
			(bias < 0 && c.products[p].price < c.products[best].price) {
			best = p
		}
	}
	return best
}

// pickNew draws uniformly a product launched in [from, to]; -1 if none.
func (c *catalogue) pickNew(rng *rand.Rand, from, to int64) int32 {
	lo, _ := slices.BinarySearch(c.launchedAt, from)
	hi, _ := slices.BinarySearch(c.launchedAt, to+1)
	if hi <= lo {
		return -1
	}
	return c.launched[lo+rng.IntN(hi-lo)]
}
