package seed

// Merchant is a demo merchant and the products it sells.
type Merchant struct {
	Name      string
	Email     string
	StoreName string
	SKUPrefix string
	Products  []Product
}

// Product is a demo product; its image is generated from its name.
type Product struct {
	Name        string
	Category    string
	Price       int64 // cents
	Stock       int64
	Description string
	WeightGrams int64 // one unit, packed for shipping
}

// Password is the password of every demo account.
const Password = "mercato-demo"

// Shopper is the demo shopper's account.
var Shopper = struct{ Name, Email string }{"Sam Shopper", "shopper@example.com"}

// Merchants are the three demo shops, twenty products each.
var Merchants = []Merchant{
	{
		Name: "Lena Oakes", Email: "lumen@example.com", StoreName: "Lumen & Oak", SKUPrefix: "LO",
		Products: []Product{
			{"Desk Lamp", "home", 4900, 40, "A warm, dimmable LED desk lamp with a solid oak base.", 1800},
			{"Linen Throw Pillow", "home", 2900, 60, "Stonewashed linen cover with a feather insert.", 700},
			{"Ceramic Vase", "home", 3500, 25, "Hand-thrown stoneware vase in a speckled glaze.", 1200},
			{"Wool Blanket", "home", 8900, 20, "Heavy merino wool blanket, woven in Portugal.", 2200},
			{"Wall Clock", "home", 4500, 30, "Silent sweep movement in a walnut frame.", 900},
			{"Scented Candle", "home", 1800, 80, "Cedar and fig soy candle, 50 hours of burn time.", 450},
			{"Bamboo Bath Mat", "home", 2400, 45, "Quick-drying bamboo slats that roll up for storage.", 1100},
			{"Picture Frame Set", "home", 3200, 35, "Three matte black frames for 5x7 prints.", 1300},
			{"Cotton Bath Towel", "home", 2200, 70, "Thick Turkish cotton, 600 gsm.", 800},
			{"Floor Cushion", "home", 5400, 15, "Round cushion filled with buckwheat hulls.", 3500},
			{"Chef Knife", "kitchen", 7900, 25, "Eight-inch carbon steel blade with a pakka wood handle.", 250},
			{"Cast Iron Skillet", "kitchen", 4200, 30, "Pre-seasoned ten-inch skillet for a lifetime of use.", 2600},
			{"Pour Over Coffee Maker", "kitchen", 3800, 40, "Borosilicate glass with a reusable steel filter.", 500},
			{"Ceramic Mug", "kitchen", 1600, 120, "Twelve-ounce mug with a comfortable thick handle.", 350},
			{"Cutting Board", "kitchen", 3400, 50, "End-grain maple board that is kind to knives.", 2100},
			{"Tea Kettle", "kitchen", 5900, 20, "Stovetop kettle with a whistle you can switch off.", 1400},
			{"Salad Bowl", "kitchen", 2800, 35, "Acacia wood bowl with matching servers.", 900},
			{"Spice Jar Set", "kitchen", 2500, 40, "Twelve glass jars with airtight bamboo lids.", 1900},
			{"Linen Apron", "kitchen", 3100, 30, "Cross-back apron with two deep pockets.", 300},
			{"French Press", "kitchen", 3600, 3, "Double-walled steel press that keeps coffee hot.", 800},
		},
	},
	{
		Name: "Theo Ridge", Email: "trailhead@example.com", StoreName: "Trailhead Outfitters", SKUPrefix: "TH",
		Products: []Product{
			{"Trail Backpack", "outdoor", 11900, 25, "A 28-litre daypack with a rain cover and hip belt.", 1100},
			{"Camping Tent", "outdoor", 24900, 10, "Two-person tent that pitches in three minutes.", 2400},
			{"Sleeping Bag", "outdoor", 13900, 15, "Down bag rated to minus five degrees.", 1300},
			{"Headlamp", "outdoor", 3900, 60, "Rechargeable 400-lumen headlamp with a red light mode.", 120},
			{"Water Bottle", "outdoor", 2400, 100, "Insulated steel bottle that keeps water cold for a day.", 400},
			{"Trekking Poles", "outdoor", 6900, 30, "Carbon poles that fold to forty centimetres.", 500},
			{"Camp Stove", "outdoor", 5400, 20, "Compact gas stove that boils a litre in four minutes.", 350},
			{"Hammock", "outdoor", 4900, 25, "Parachute nylon hammock with tree straps.", 600},
			{"Compass", "outdoor", 2900, 40, "Baseplate compass with a sighting mirror.", 80},
			{"First Aid Kit", "outdoor", 3400, 50, "Everything for blisters, cuts and sprains on the trail.", 300},
			{"Rain Jacket", "apparel", 15900, 20, "Three-layer waterproof shell that packs into its pocket.", 400},
			{"Merino Beanie", "apparel", 2900, 50, "Soft merino wool that does not itch.", 90},
			{"Hiking Socks", "apparel", 1900, 90, "Cushioned wool socks, two pairs.", 150},
			{"Fleece Pullover", "apparel", 7900, 30, "Recycled fleece with a half zip.", 450},
			{"Sun Hat", "apparel", 3500, 40, "Wide brim with UPF 50 protection.", 120},
			{"Trail Shorts", "apparel", 5500, 35, "Stretch shorts that dry in minutes.", 250},
			{"Insulated Vest", "apparel", 9900, 15, "Synthetic insulation that stays warm when wet.", 350},
			{"Base Layer Top", "apparel", 6400, 25, "Lightweight merino long sleeve.", 200},
			{"Gloves", "apparel", 3900, 40, "Touchscreen-friendly softshell gloves.", 110},
			{"Buff Scarf", "apparel", 1900, 0, "Multifunctional tube scarf. Back in stock soon.", 50},
		},
	},
	{
		Name: "Paige Turner", Email: "pageturner@example.com", StoreName: "Page Turner Books", SKUPrefix: "PT",
		Products: []Product{
			{"Field Notes Journal", "stationery", 1400, 120, "Dot-grid pocket notebook, three pack.", 150},
			{"Fountain Pen", "stationery", 4500, 30, "Steel nib fountain pen with a converter.", 60},
			{"Watercolor Set", "stationery", 3900, 25, "Twenty-four half pans with a travel brush.", 250},
			{"Leather Notebook Cover", "stationery", 5900, 20, "Vegetable-tanned leather that ages beautifully.", 200},
			{"Sketchbook", "stationery", 1800, 60, "A5 sketchbook with heavy 160 gsm paper.", 500},
			{"Desk Organizer", "stationery", 3200, 35, "Oak organizer with five compartments.", 1400},
			{"Brass Bookmark", "stationery", 1200, 80, "Engraved brass bookmark with a tassel.", 30},
			{"Wax Seal Kit", "stationery", 2700, 30, "Seal, three wax sticks and a spoon.", 350},
			{"Mechanical Pencil", "stationery", 1600, 70, "0.5 mm drafting pencil with a knurled grip.", 40},
			{"Letter Paper Set", "stationery", 2200, 40, "Cotton paper and envelopes for proper letters.", 600},
			{"The Quiet Garden", "books", 2400, 40, "A novel about a summer, a garden and a secret.", 450},
			{"Cooking With Fire", "books", 3500, 30, "Recipes for open flames, from campfire to grill.", 1200},
			{"Stars For Beginners", "books", 2900, 35, "A friendly guide to the night sky.", 500},
			{"Maps Of Lost Cities", "books", 4200, 15, "Illustrated atlas of places that time forgot.", 1600},
			{"The Patient Investor", "books", 2700, 25, "Plain advice on saving and investing.", 400},
			{"Small Spaces", "books", 3900, 20, "Design ideas for apartments and tiny homes.", 1100},
			{"Birds Of The Coast", "books", 3100, 25, "Field guide with four hundred illustrations.", 700},
			{"Learning Go", "books", 4900, 40, "An idiomatic introduction to the Go language.", 650},
			{"Poems For Rainy Days", "books", 1900, 45, "A pocket collection of comforting verse.", 200},
			{"Mystery At Midnight", "books", 2200, 2, "A locked-room mystery in a snowbound hotel.", 350},
		},
	},
}
