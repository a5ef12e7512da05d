"""Original demo content for "The Byline Review", the sample publication shipped with Byline.

Pure data: four authors, five topics and fourteen posts in assorted workflow states.
Post bodies are Markdown; FAQs and references live in separate fields, not in the body.
"""

AUTHORS = [
    {
        "username": "maya",
        "display_name": "Maya Okafor",
        "email": "maya@example.com",
        "bio": (
            "Maya writes about home cooking and everyday money for *The Byline Review*. She grew "
            "up in a house where nothing went to waste and still can’t throw away a Parmesan "
            "rind. Her weekly recipe letter lives on [her website](https://example.com/maya)."
        ),
        "website": "https://example.com/maya",
        "twitter": "",
        "mastodon": "@maya@example.social",
        "github": "",
    },
    {
        "username": "tomas",
        "display_name": "Tomás Reyes",
        "email": "tomas@example.com",
        "bio": (
            "Tomás coordinates a community garden and writes our gardening column. He has grown "
            "vegetables on rooftops, on balconies and on one very patient landlord’s lawn."
        ),
        "website": "",
        "twitter": "tomasgrows",
        "mastodon": "",
        "github": "",
    },
    {
        "username": "priya",
        "display_name": "Priya Raman",
        "email": "priya@example.com",
        "bio": (
            "Priya is a software engineer who writes about practical technology and personal "
            "finance. She believes most money and security problems are solved by boring, "
            "automatic habits. Her small open-source tools are on "
            "[GitHub](https://github.com/priyaraman)."
        ),
        "website": "https://example.org/priya",
        "twitter": "",
        "mastodon": "@priya@example.social",
        "github": "priyaraman",
    },
    {
        "username": "jonah",
        "display_name": "Jonah Whitfield",
        "email": "jonah@example.com",
        "bio": (
            "Jonah has spent fifteen years traveling on a budget, mostly by train and always with "
            "too small a bag. He files the travel column from wherever the last train stopped."
        ),
        "website": "https://example.net/jonah",
        "twitter": "jonahontrains",
        "mastodon": "",
        "github": "",
    },
]

TOPICS = [
    {
        "name": "Cooking",
        "slug": "cooking",
        "description": "Recipes, techniques and kitchen know-how for everyday home cooks.",
    },
    {
        "name": "Gardening",
        "slug": "gardening",
        "description": "Growing food and flowers in gardens, allotments and on tiny balconies.",
    },
    {
        "name": "Money",
        "slug": "money",
        "description": "Clear, practical advice on budgeting, saving and making money go further.",
    },
    {
        "name": "Travel",
        "slug": "travel",
        "description": "Ideas for traveling farther on less money and with less luggage.",
    },
    {
        "name": "Technology",
        "slug": "technology",
        "description": "Practical technology that makes everyday life safer, simpler and calmer.",
    },
]

POSTS = [
    # ------------------------------------------------------------------ cooking
    {
        "title": "A Weeknight Pot of Beans, Start to Finish",
        "slug": "weeknight-pot-of-beans",
        "description": (
            "Dried beans are cheaper and tastier than canned, and far less fussy than their "
            "reputation. A reliable method for a pot of beans on any weeknight."
        ),
        "authors": ["maya"],
        "tags": ["beans", "batch cooking", "budget meals", "pantry"],
        "topics": ["cooking"],
        "status": "published",
        "days_ago": 3,
        "body": """\
There’s a particular comfort in a pot of beans ticking away on the back of the stove. It costs
very little, it fills the kitchen with a smell that makes everyone wander in asking when dinner
is, and it turns into three or four different meals over the week. 🫘 Dried beans have a
reputation for being fussy, but most of the fuss is folklore. Here’s the method I’ve used for
years.

## Why bother with dried beans?

Canned beans are a perfectly good pantry staple, and I always keep a few. But dried beans win
on three counts:

- **Cost.** A pound of dried beans makes about as much as three cans, for a fraction of the
  price.
- **Texture.** You control the doneness, from firm enough for a salad to creamy enough to mash.
- **Flavor.** The cooking liquid — cooks call it *pot liquor* — is a savory broth you’d never
  get from a can.

## To soak or not to soak

Soaking shortens cooking time and helps beans cook evenly, but it isn’t mandatory. If you
remember in the morning, cover the beans with plenty of cold water and leave them. If you
forget, do a quick soak: bring beans and water to a boil, turn off the heat, and let them sit
for an hour. Lentils and split peas can go straight into the pot.

| Bean | Soaked | Unsoaked |
| --- | --- | --- |
| Black beans | 60–90 min | 1½–2 hours |
| Pinto beans | 60–90 min | 2–2½ hours |
| Chickpeas | 1½–2 hours | 2½–3 hours |
| Brown lentils | not needed | 25–35 min |

Times vary with the age of the beans. Older beans take longer — sometimes much longer.

## The method

1. Rinse the beans and pick out any small stones or shriveled ones.
2. Put them in a heavy pot with a halved onion, a few garlic cloves, a bay leaf and a good glug
   of olive oil.
3. Cover with about two inches of water, bring to a boil, then drop to a gentle simmer.
4. Add salt — about a teaspoon per pound — once the beans start to soften. Despite what you may
   have heard, salt doesn’t keep beans hard; it seasons them all the way through.
5. Taste a few every 15 minutes. They’re done when five in a row are creamy in the middle.

Keep the beans covered as they cook, topping up with hot water if needed. Red kidney beans need
one extra step: boil them hard for at least ten minutes, because raw kidney beans contain a
lectin called [phytohaemagglutinin](https://en.wikipedia.org/wiki/Phytohaemagglutinin) that a
gentle simmer alone may not destroy.

## Four meals from one pot

- **Night one:** beans in their broth over rice, with a fried egg and hot sauce.
- **Night two:** mash some with cumin and lime for tacos.
- **Night three:** toss with chopped herbs, red onion and vinegar for a salad.
- **Night four:** blend the last of them with stock into a soup.

Cooked beans keep for three to four days in the fridge, and they freeze beautifully in their
liquid. The USDA’s [FoodKeeper app](https://www.foodsafety.gov/keep-food-safe/foodkeeper-app)
is a handy reference if you’re unsure how long something will last.

*Related: [Cast Iron Care, Demystified](/posts/cast-iron-care-demystified/)*
""",
        "faqs": [
            (
                "Do I need to throw away the soaking water?",
                "It’s up to you. Some people find draining and rinsing makes beans easier to "
                "digest; others keep the water for flavor. The beans cook fine either way.",
            ),
            (
                "Why are my beans still hard after hours of cooking?",
                "Usually the beans are old or your water is very hard. Keep simmering, and next "
                "time buy beans from a shop with a high turnover.",
            ),
            (
                "Can I cook beans in a pressure cooker?",
                "Yes. Most soaked beans take 8–15 minutes at high pressure plus a natural "
                "release. Check your cooker’s manual for specific times.",
            ),
        ],
        "references": [
            {
                "title": "FoodKeeper App",
                "publisher": "FoodSafety.gov",
                "year": 2024,
                "url": "https://www.foodsafety.gov/keep-food-safe/foodkeeper-app",
            },
            {
                "title": "Phytohaemagglutinin",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Phytohaemagglutinin",
            },
            {
                "title": "Phaseolus vulgaris",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Phaseolus_vulgaris",
            },
        ],
    },
    {
        "title": "Cast Iron Care, Demystified",
        "slug": "cast-iron-care-demystified",
        "description": (
            "Cast iron is tougher than its reputation suggests. What seasoning really is, how "
            "to clean a skillet day to day, and how to rescue a rusty yard-sale find."
        ),
        "authors": ["maya"],
        "tags": ["cast iron", "kitchen tools", "cleaning"],
        "topics": ["cooking"],
        "status": "published",
        "days_ago": 75,
        "body": """\
Cast iron has a reputation for being precious. People talk about *seasoning* in hushed tones,
warn you never to let soap near it, and pass pans down through families like heirlooms. The
last part is true — a cast-iron skillet really can outlive you — but the rest is mostly myth.
It’s a lump of iron. It’s tougher than nearly anything else in your kitchen.

## What seasoning actually is

Seasoning isn’t a coating of old grease. It’s a thin layer of oil that has been heated past its
smoke point until it [polymerizes](https://en.wikipedia.org/wiki/Seasoning_(cookware)) into a
hard, slick film bonded to the surface of the iron. Every time you cook with fat, you add a
little more. That’s why a well-used pan gets better with age.

## Everyday cleaning

1. **Clean it while it’s warm.** Food releases much more easily.
2. **Use hot water and a brush or scraper.** A little dish soap is fine; modern detergent won’t
   strip polymerized seasoning. (Harsh lye soaps of a century ago could — hence the myth.)
3. **For stuck-on bits,** scrub with coarse salt and a splash of oil, or use a
   [chainmail scrubber](https://amzn.to/3ExAmPl), which lifts residue without gouging.
4. **Dry it immediately** and thoroughly, then set it on a low burner for a minute to drive off
   the last of the moisture.
5. **Wipe on a very thin layer of oil** while it’s still warm. Then wipe it off again, as if
   you’d made a mistake. What remains is enough.

## The things that actually hurt it

- **Soaking.** A night in a sink full of water invites rust.
- **The dishwasher.** Long, hot, alkaline cycles will strip the surface.
- **Long-cooked acidic food.** A quick tomato sauce is fine in a well-seasoned pan; a four-hour
  simmer of something tangy may lift the seasoning and taste metallic.
- **Thermal shock.** Pouring cold water into a very hot pan can, rarely, crack it.

## Rescuing a rusty pan

Found a sad, orange skillet at a yard sale? Good news: it’s almost certainly salvageable.

1. Scrub off the rust with steel wool and soapy water until you see bare grey metal.
2. Dry it completely, on the stove if need be.
3. Rub a *very* thin film of a high-smoke-point oil — vegetable, canola or shortening — over
   every surface, inside and out.
4. Bake it upside down at about 450°F (230°C) for an hour, and let it cool in the oven.
5. Repeat two or three times for a sturdy base layer.

Lodge, one of the oldest American makers, has a
[cleaning and care guide](https://www.lodgecastiron.com/cleaning-and-care)
that matches what I do almost step for step.

After that, just cook. Fry eggs, sear steaks, bake cornbread. The best maintenance for cast
iron is regular use, and the best way to learn it is to make a few mistakes and notice that the
pan doesn’t mind.

*Related: [A Weeknight Pot of Beans, Start to Finish](/posts/weeknight-pot-of-beans/)*
""",
        "faqs": [
            (
                "Can I use soap on cast iron?",
                "Yes. A little mild dish soap won’t harm properly polymerized seasoning. Just "
                "avoid soaking the pan and dry it right away.",
            ),
            (
                "Why does my pan feel sticky?",
                "Too much oil was left on during seasoning, so it didn’t fully polymerize. Bake "
                "it again at high heat, or scrub it back and re-season with thinner coats.",
            ),
            (
                "Is enameled cast iron cared for the same way?",
                "No. The glass enamel needs no seasoning and copes with acidic food, but it can "
                "chip if knocked or heated empty on high for a long time.",
            ),
        ],
        "references": [
            {
                "title": "Cleaning and Care",
                "publisher": "Lodge Cast Iron",
                "year": 2024,
                "url": "https://www.lodgecastiron.com/cleaning-and-care",
            },
            {
                "title": "Seasoning (cookware)",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Seasoning_(cookware)",
            },
            {
                "title": "Cast-iron cookware",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Cast-iron_cookware",
            },
        ],
    },
    # ---------------------------------------------------------------- gardening
    {
        "title": "Growing Tomatoes in Containers: A Balcony-Sized Guide",
        "slug": "growing-tomatoes-in-containers",
        "description": (
            "No garden? No problem. How to choose a variety, a pot and a potting mix so "
            "tomatoes thrive on a sunny balcony, doorstep or a strip of driveway."
        ),
        "authors": ["tomas"],
        "tags": ["tomatoes", "container gardening", "vegetables", "small spaces"],
        "topics": ["gardening"],
        "status": "published",
        "days_ago": 12,
        "body": """\
You don’t need a garden to grow tomatoes. A sunny balcony, a front step or a strip of driveway
can produce more fruit than you’d expect — provided you choose the right variety and give the
roots enough room. I’ve grown tomatoes in everything from old paint buckets to proper fabric
pots, and the rules that really matter are few.

## Pick a variety that suits a pot

Tomatoes come in two broad growth habits. **Determinate** varieties grow to a set height, ripen
most of their fruit at once and then stop — ideal for containers. **Indeterminate** varieties
keep growing and fruiting until frost, and can easily top six feet. They’ll grow in a pot, but
they need a tall stake and more attention.

Good container choices include compact cherry types and anything labeled “patio” or “bush.” If
you’re unsure, your local
[extension service](https://extension.umn.edu/vegetables/growing-tomatoes-home-garden)
will have a list of varieties that do well in your region.

## Size matters more than material

The most common mistake is a pot that’s too small. Roots cramped in a little container dry out
within hours on a hot day, and the plant sulks.

| Plant type | Minimum container | Notes |
| --- | --- | --- |
| Dwarf or micro cherry | 2 gallons (8 L) | Fine on a sunny windowsill |
| Determinate bush | 5 gallons (19 L) | The sweet spot for most balconies |
| Indeterminate | 10–15 gallons (38–57 L) | Needs a sturdy cage or stake |

Plastic, terracotta and fabric all work. Fabric pots breathe well and stop roots circling; I’ve
had good results with these
[10-gallon fabric grow bags](https://www.amazon.com/dp/B0EXAMPLE1?tag=bylinereview-20),
which fold flat over winter. Whatever you use, it *must* have drainage holes.

## Soil, sun and water

1. **Use potting mix, not garden soil.** Garden soil compacts in a pot and drains poorly.
2. **Find six to eight hours of sun.** Less than that and you’ll get leafy plants with few
   flowers.
3. **Water deeply and consistently.** In midsummer a large pot may need water every day. Uneven
   watering is the main cause of *blossom end rot*, the leathery dark patch under the fruit.
4. **Feed regularly.** Potting mix runs out of nutrients within weeks. A balanced liquid feed
   every week or two, switching to a tomato feed once fruit sets, keeps plants productive.

## Common problems

- **Yellow lower leaves:** often just age, but widespread yellowing means the plant is hungry.
- **Flowers dropping without fruit:** usually heat above about 90°F (32°C) or cold nights; it
  resolves as temperatures settle.
- **Split fruit:** a heavy watering after a dry spell. Steady watering prevents it.

The Royal Horticultural Society’s
[tomato growing guide](https://www.rhs.org.uk/vegetables/tomatoes/grow-your-own)
covers pests and diseases in more depth.

When you end up with more fruit than you can eat — and you will — there are plenty of ways to
keep it for later.

*Related: [From Garden to Freezer: Preserving a Summer Glut](/posts/preserving-a-summer-glut/)*
""",
        "faqs": [
            (
                "Can I reuse potting mix next year?",
                "You can, but refresh it with about a third fresh compost and some slow-release "
                "fertilizer. If last year’s plants were diseased, start with fresh mix.",
            ),
            (
                "Do I need to pinch out side shoots?",
                "Only on indeterminate varieties, and even then it’s optional. Removing "
                "*suckers* gives fewer, larger fruits; leaving them gives a bushier plant.",
            ),
            (
                "How do I know when to pick?",
                "Pick when the fruit is fully colored and gives slightly when squeezed. Tomatoes "
                "also ripen indoors if picked at the first blush of color.",
            ),
        ],
        "references": [
            {
                "title": "Growing tomatoes in home gardens",
                "publisher": "University of Minnesota Extension",
                "year": 2023,
                "url": "https://extension.umn.edu/vegetables/growing-tomatoes-home-garden",
            },
            {
                "title": "How to grow tomatoes",
                "publisher": "Royal Horticultural Society",
                "year": 2024,
                "url": "https://www.rhs.org.uk/vegetables/tomatoes/grow-your-own",
            },
            {
                "title": "Blossom end rot",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Blossom_end_rot",
            },
        ],
    },
    {
        "title": "From Garden to Freezer: Preserving a Summer Glut",
        "slug": "preserving-a-summer-glut",
        "description": (
            "Too many tomatoes, zucchini and beans all at once? Three of our writers share how "
            "they freeze, blanch, roast and share summer produce for darker months."
        ),
        "authors": ["tomas", "maya", "jonah"],
        "tags": ["preserving", "freezing", "tomatoes", "batch cooking"],
        "topics": ["cooking", "gardening"],
        "status": "published",
        "days_ago": 120,
        "body": """\
Every August the same thing happens. The zucchini that seemed so modest in May produce three
fruits a day, the tomatoes ripen all at once, and friends with gardens start leaving bags of
beans on doorsteps. For this piece, three of us pooled what we’ve learned about keeping
summer’s abundance for the darker months: Tomás from his allotment, Maya from her kitchen, and
Jonah from a season spent helping out on a small farm in the Alentejo.

## Start with the freezer

Freezing is the simplest, safest way to preserve most produce, and it keeps more of the flavor
and color than you might expect.

- **Tomatoes:** freeze them whole on a tray, then bag them. Once thawed, the skins slip right
  off. They’re for sauces, not salads.
- **Berries:** spread them on a lined tray so they freeze separately, then bag them.
- **Herbs:** chop and pack into ice-cube trays, topped up with olive oil.
- **Green beans, broccoli, peas:** blanch them first (see below).

## Blanching, briefly

Most vegetables keep better if you blanch them before freezing. A short dip in boiling water
stops the enzymes that would otherwise dull their color and texture over the months.

1. Bring a large pot of water to a rolling boil and set a bowl of ice water beside it.
2. Add the vegetables in small batches so the water returns to the boil quickly.
3. Time carefully — about 3 minutes for green beans or broccoli florets, 1½ for peas.
4. Plunge into the ice water for the same length of time, then drain and dry well.
5. Freeze on a tray, then bag, label and date.

The [National Center for Home Food Preservation](https://nchfp.uga.edu/) publishes tested
blanching times for almost everything that grows.

## A big batch of roasted tomato sauce

This is Maya’s end-of-season staple, and it needs no peeling at all. Halve a trayful of
tomatoes and scatter with sliced onions, whole garlic cloves, olive oil, salt and a few sprigs
of thyme. Roast at 400°F (200°C) for about an hour, until collapsed and slightly charred at the
edges. Blend, or pass through a food mill, and freeze in portions. It’s the closest thing to
August you’ll taste in February.

## A word on canning

Water-bath canning of jam or pickles is a rewarding next step, but it’s a place to follow
tested recipes exactly. Low-acid foods such as plain vegetables carry a risk of
[botulism](https://en.wikipedia.org/wiki/Botulism) if processed incorrectly, and must be
pressure-canned. *When in doubt, freeze it.*

## Share the surplus

Sometimes the best preservation method is a neighbor. Many towns have community fridges, food
banks that accept fresh produce, or informal swap tables. The farm Jonah worked on simply left
crates at the gate with an honesty box — and, he swears, never once came up short. 🍅

*Related: [Growing Tomatoes in Containers](/posts/growing-tomatoes-in-containers/)*
""",
        "faqs": [
            (
                "How long do frozen vegetables keep?",
                "Blanched vegetables keep their best quality for roughly 8 to 12 months at "
                "0°F (−18°C). They stay safe longer, but flavor and texture slowly decline.",
            ),
            (
                "Do I need to blanch zucchini?",
                "It helps. Grated zucchini for baking can be frozen raw, but slices keep better "
                "if blanched for about 3 minutes first.",
            ),
            (
                "Can I freeze food in glass jars?",
                "Yes, if they are freezer-safe and you leave at least an inch of headspace. "
                "Straight-sided jars are less likely to crack.",
            ),
        ],
        "references": [
            {
                "title": "National Center for Home Food Preservation",
                "publisher": "University of Georgia",
                "year": 2024,
                "url": "https://nchfp.uga.edu/",
            },
            {
                "title": "Blanching (cooking)",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Blanching_(cooking)",
            },
            {
                "title": "Botulism",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Botulism",
            },
        ],
    },
    {
        "title": "Saving Seeds from Your Own Garden",
        "slug": "saving-seeds-from-your-garden",
        "description": (
            "Which vegetables are easiest to save seed from, why hybrids don’t come true, how "
            "to ferment tomato seeds, and how to dry and store seed for next spring."
        ),
        "authors": ["tomas"],
        "tags": ["seeds", "vegetables", "heirlooms"],
        "topics": ["gardening"],
        "status": "draft",
        "days_ago": 0,
        "body": """\
Saving seeds is one of the oldest gardening skills there is, and one of the most satisfying. A
single tomato holds enough seed for a whole street’s worth of plants; a handful of dried bean
pods can become next year’s crop and the year after’s. It also lets you slowly select plants
that do well in *your* soil and *your* weather — something no seed catalogue can offer.

## Start with the easy ones

Some crops are far easier to save seed from than others. Begin with plants that are
**self-pollinating**: their flowers usually fertilize themselves, so the seed grows true to
the parent.

- **Beans and peas:** leave a few pods on the plant until they rattle, then shell and dry.
- **Tomatoes:** scoop out the seeds from a ripe fruit and ferment them briefly (see below).
- **Lettuce:** let a plant bolt and flower, then shake the fluffy seed heads into a paper bag.
- **Peppers:** scrape the seeds from a fully ripe fruit and dry them on a plate.

Squash, cucumbers, corn and brassicas cross-pollinate readily with their relatives, so keeping
them true takes isolation or hand-pollination. Leave those until you’ve had a season or two of
practice.

## Open-pollinated or hybrid?

Check the packet the parent plant came from. **Open-pollinated** and **heirloom** varieties
produce offspring like themselves. **F1 hybrids** are crosses between two parent lines; their
seed will grow, but the plants can be wildly different from the parent — often disappointingly
so. The [Wikipedia article on seed saving](https://en.wikipedia.org/wiki/Seed_saving) explains
the genetics if you’re curious.

## Tomato seeds, step by step

Tomato seeds sit in a gel that stops them sprouting inside the fruit. Fermenting removes it.

1. Choose a ripe fruit from your healthiest, tastiest plant.
2. Squeeze the seeds and pulp into a jar, add a splash of water, and cover loosely.
3. Leave it somewhere warm for two to four days, stirring daily. A moldy film will form —
   that’s normal, if a bit smelly.
4. Pour off the film and any floating seeds, which are usually duds, then rinse the seeds that
   sank and spread them on a plate to dry for a week.

## Drying and storing

Seeds must be completely dry before storage, or they’ll rot. Large seeds should snap rather
than bend. Keep them in paper envelopes inside an airtight jar, somewhere cool, dark and dry.
Label everything with the variety and the year — you will not remember, I promise. Most
vegetable seed stays viable for three to five years; onion and parsnip seed is best sown the
following spring.

## Join the wider community

Seed swaps, local seed libraries and organizations like [Seed Savers
Exchange](https://seedsavers.org/) keep thousands of rare varieties alive by passing them from
hand to hand. Once you have more seed than you need — and you will — share it.

*Related: [Growing Tomatoes in Containers](/posts/growing-tomatoes-in-containers/)*
""",
        "faqs": [],
        "references": [],
    },
    {
        "title": "Planning a Fall Garden: What to Sow in Late Summer",
        "slug": "planning-a-fall-garden",
        "description": (
            "The sweetest carrots and crispest lettuce grow in autumn. How to count back from "
            "your first frost date and what to sow in late summer for a fall harvest."
        ),
        "authors": ["tomas"],
        "tags": ["vegetables", "fall garden", "seeds", "frost dates"],
        "topics": ["gardening"],
        "status": "published",
        "days_ago": -5,
        "body": """\
Most gardeners think of spring as planting season and fall as cleanup time. That’s a missed
opportunity. Many of the best vegetables — the sweetest carrots, the crispest lettuce, kale
that tastes almost like candy after a frost — grow best in the cool, shortening days of autumn.
The catch is that you have to plan while it’s still hot.

## Work backward from your first frost

Everything hinges on one date: your average first fall frost. Look yours up with the Old
Farmer’s Almanac [frost date tool](https://www.almanac.com/gardening/frostdates) or ask your
local extension office. Then, for each crop, count backward:

> **Sowing date = first frost date − days to maturity − about 14 days**

The extra two weeks allow for slower growth as the days get shorter, sometimes called the
*fall factor*.

## Crops that love the cold

| Crop | Days to maturity | Frost tolerance |
| --- | --- | --- |
| Radishes | 25–30 | Light frost |
| Spinach | 40–50 | Hardy; sweetens after frost |
| Turnips | 40–55 | Hardy |
| Lettuce | 45–60 | Light frost |
| Kale | 55–65 | Very hardy |
| Carrots | 60–80 | Hardy; sweetens after frost |

## A late-summer sowing plan

1. **Clear spent summer crops** as soon as they stop producing. Early potatoes and bush beans
   free up space in midsummer.
2. **Refresh the soil** with an inch or two of compost; summer crops use a lot of nutrients.
3. **Sow directly or use transplants.** Carrots, radishes and spinach are best sown where they
   will grow; kale and other brassicas can be started in pots in light shade and moved later.
4. **Keep seedlings watered.** Late-summer heat is hard on tiny plants. A board laid over a
   freshly sown row keeps the soil cool and moist — lift it the moment seeds sprout.
5. **Plan some protection.** A simple row cover or cold frame can extend your harvest by weeks.

## Don’t forget garlic

Garlic is the one crop you plant in fall and don’t harvest until next summer. Break a head into
cloves and plant them pointy end up, about two inches deep, a few weeks before the ground
freezes. Buy seed garlic from a nursery rather than planting supermarket bulbs, which may be
treated to stop sprouting or be a variety unsuited to your climate.

Your [USDA plant hardiness zone](https://planthardiness.ars.usda.gov/) also gives a clue about
which crops will overwinter in your garden without protection.

## Enjoy the slower season

Fall gardening is gentler than summer gardening:

- **Fewer pests.** Most insects slow down or disappear as the nights cool.
- **Less watering.** Cooler air and autumn rain do much of the work for you.
- **No rush.** The cold keeps crops happily in the ground until you’re ready to pick them.

Pull a carrot on a frosty November morning and you’ll wonder why you ever stopped in September.

*Related: [From Garden to Freezer: Preserving a Summer Glut](/posts/preserving-a-summer-glut/)*
""",
        "faqs": [
            (
                "Can I grow a fall garden in a hot climate?",
                "Yes. In warm regions, fall and winter are often the best seasons for "
                "cool-weather crops. Sow once the worst of the summer heat has passed.",
            ),
            (
                "What is a row cover?",
                "A lightweight fabric laid over plants or hoops. It traps a few degrees of "
                "warmth and keeps off frost and insects while letting light and rain through.",
            ),
            (
                "Should I fertilize fall crops?",
                "Compost at planting time is usually enough. Leafy crops may appreciate a light "
                "liquid feed about a month after sowing.",
            ),
        ],
        "references": [
            {
                "title": "First and Last Frost Dates",
                "publisher": "The Old Farmer’s Almanac",
                "year": 2024,
                "url": "https://www.almanac.com/gardening/frostdates",
            },
            {
                "title": "USDA Plant Hardiness Zone Map",
                "publisher": "U.S. Department of Agriculture",
                "year": 2023,
                "url": "https://planthardiness.ars.usda.gov/",
            },
            {
                "title": "Season extension",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Season_extension",
            },
        ],
    },
    # -------------------------------------------------------------------- money
    {
        "title": "The One-Page Budget",
        "slug": "the-one-page-budget",
        "description": (
            "Most budgets fail because they are too complicated to keep up. A four-line budget "
            "that fits on one page, with a tiny optional Python script for the sums."
        ),
        "authors": ["maya", "priya"],
        "tags": ["budgeting", "personal finance", "spreadsheets", "python"],
        "topics": ["money", "technology"],
        "status": "published",
        "days_ago": 7,
        "body": """\
Most budgets fail not because people are bad with money but because the budget itself is too
complicated to keep up. Forty categories, receipts in a shoebox, an app that nags you about the
coffee you bought on Tuesday… it’s no wonder people give up by March. We’ve both tried the
elaborate versions. What stuck, for each of us, was a budget small enough to fit on one page.

## The idea in one sentence

Know what comes in, know what *must* go out, and decide on purpose what happens to the rest.
Everything else is detail.

## Four lines, not forty

A one-page budget has just four lines:

| Line | What it covers | Example (monthly) |
| --- | --- | --- |
| Income | Take-home pay after tax and deductions | $4,200 |
| Fixed costs | Rent, utilities, insurance, minimum debt payments | $2,350 |
| Savings goals | Emergency fund, retirement, a trip | $600 |
| Spending money | Groceries, fun, everything else | $1,250 |

The last line is simply whatever is left after the first three. If it’s negative, you know
straight away that something has to change — and you know it *before* the month starts rather
than after.

## Setting it up

1. **Find your real take-home pay.** Use what actually lands in your account, not your salary.
   If your income varies, use the lowest month from the past year.
2. **List fixed costs from your bank statement.** Pull out everything that repeats over the
   last two months. Include annual bills divided by twelve; car insurance and registration
   have a way of ambushing people.
3. **Choose savings before spending.** Even a small amount, moved automatically on payday,
   counts. The Consumer Financial Protection Bureau’s
   [Start Small, Save Up](https://www.consumerfinance.gov/start-small-save-up/) pages are full
   of practical ideas.
4. **Divide what’s left by weeks.** $1,250 a month is roughly $290 a week, and a weekly number
   is much easier to keep in your head than a monthly one.

## A tiny script, if you like that sort of thing

A spreadsheet works perfectly well. But if you’d rather, a few lines of Python do the sums:

```python
income = 4200
fixed = {"rent": 1600, "utilities": 180, "insurance": 320, "loan": 250}
savings = {"emergency": 400, "retirement": 200}

spending = income - sum(fixed.values()) - sum(savings.values())
weekly = spending * 12 / 52

print(f"Monthly spending money: ${spending:,.2f}")
print(f"Weekly allowance:       ${weekly:,.2f}")
```

Change the numbers, run it, and there’s your weekly allowance. Priya keeps a version that reads
straight from her bank’s CSV export; the
[Python csv module](https://docs.python.org/3/library/csv.html) makes that a short job.

## Checking in

Once a month, spend fifteen minutes comparing the plan with reality. Don’t judge — just adjust.
If groceries keep running over, move money from somewhere else or accept that the number was
unrealistic. A few questions worth asking each month:

- Did the spending line cover real life, or did I dip into savings?
- Has a fixed cost crept up — a subscription, an insurance renewal?
- Is there a savings goal I can nudge up, even by $20?

The budget works for you, not the other way round.

*Related: [Building an Emergency Fund in Stages](/posts/emergency-fund-in-stages/)*
""",
        "faqs": [
            (
                "What if my income is irregular?",
                "Budget from your lowest typical month and treat anything above it as a bonus, "
                "split between savings and a buffer for leaner months.",
            ),
            (
                "Do I have to track every purchase?",
                "No. With a one-page budget you only need to know whether you stayed under your "
                "weekly spending number. Detailed tracking is optional.",
            ),
            (
                "Where should the savings line go?",
                "An emergency fund usually belongs in an insured savings account, separate from "
                "everyday checking so it’s reachable but not too tempting.",
            ),
        ],
        "references": [
            {
                "title": "Start Small, Save Up",
                "publisher": "Consumer Financial Protection Bureau",
                "year": 2024,
                "url": "https://www.consumerfinance.gov/start-small-save-up/",
            },
            {
                "title": "csv — CSV File Reading and Writing",
                "publisher": "Python Software Foundation",
                "year": 2024,
                "url": "https://docs.python.org/3/library/csv.html",
            },
        ],
    },
    {
        "title": "Building an Emergency Fund in Stages",
        "slug": "emergency-fund-in-stages",
        "description": (
            "Three to six months of expenses can feel out of reach. Break the emergency fund "
            "into four smaller stages, each of them genuinely useful on its own."
        ),
        "authors": ["priya"],
        "tags": ["emergency fund", "savings", "personal finance"],
        "topics": ["money"],
        "status": "published",
        "days_ago": 30,
        "body": """\
“Save three to six months of expenses” is sound advice that, for a lot of people, lands like
being told to climb a mountain in flip-flops. If your monthly costs are $3,000, that’s a target
of up to $18,000 — a number so large it can feel pointless to start. The trick is to stop
treating an emergency fund as one goal and see it as a series of smaller ones, each useful on
its own.

## Why it matters

An emergency fund is what stands between a bad week and a debt spiral. The Federal Reserve’s
[annual survey](https://www.federalreserve.gov/consumerscommunities/shed.htm) of household
finances has found for years that a large share of adults would struggle to cover an
unexpected $400 expense with cash.[^1] A car repair or a vet bill shouldn’t have to go on a
credit card charging 25% interest.

## The four stages

1. **Stage one: $500.** Enough for the most common small emergencies — a flat tire, a cracked
   phone screen, a prescription. Reaching it quickly matters more than reaching it perfectly.
2. **Stage two: one month of essentials.** Not your full spending, just the must-pays: housing,
   utilities, food, insurance and minimum debt payments.
3. **Stage three: three months of essentials.** This covers most job losses and bigger shocks.
4. **Stage four: six months or more.** Worth aiming for if you’re self-employed, rely on one
   household income, or work in a volatile industry.

Each stage gives you real protection. You don’t have to finish stage four to feel the benefit
of stage one.

## Finding the money

- **Automate it.** Schedule a transfer for the day after payday. Money you never see in
  checking is money you don’t miss.
- **Bank the windfalls.** Tax refunds, birthday money, a work bonus — send half to the fund
  before it quietly evaporates.
- **Sell one thing a month.** Most homes have a few hundred dollars of unused gear in a closet.
- **Round up.** Some banks round each card purchase up to the next dollar and sweep the change
  into savings. It’s small, but painless.

## Where to keep it

The money should be *safe*, *separate* and *reachable within a day or two*. A high-yield
savings account at an insured bank fits all three; in the US, check that the bank is covered by
the [FDIC](https://www.fdic.gov/resources/deposit-insurance). Don’t invest your emergency fund
in stocks — the whole point is that it’s there when markets and jobs are at their worst.

## What counts as an emergency?

Write your own definition before you need it. Mine is *unexpected, necessary and urgent*. A
broken boiler in January qualifies; a great sale on a sofa doesn’t. When you do use the fund —
and you will — don’t feel guilty. That’s what it’s for. Just go back to the stage you dropped
to and build again.

*Related: [The One-Page Budget](/posts/the-one-page-budget/)*

[^1]: In the survey covering 2023, 63% of adults said they would pay a hypothetical $400
    emergency expense using cash or its equivalent — which means more than a third would not.
""",
        "faqs": [
            (
                "Should I pay off debt or build an emergency fund first?",
                "Many people do both: reach stage one first, then put extra money toward "
                "high-interest debt, and resume the fund once that debt is gone.",
            ),
            (
                "Is six months really necessary?",
                "Not for everyone. Two stable incomes and low fixed costs may make three months "
                "plenty; freelancers and single-income households often want more.",
            ),
            (
                "Can I keep my emergency fund in a certificate of deposit?",
                "Part of it, perhaps. A CD may pay a little more but charges a penalty for early "
                "withdrawal, so keep at least stage one in ordinary savings.",
            ),
        ],
        "references": [
            {
                "title": "Survey of Household Economics and Decisionmaking",
                "publisher": "Board of Governors of the Federal Reserve System",
                "year": 2024,
                "url": "https://www.federalreserve.gov/consumerscommunities/shed.htm",
            },
            {
                "title": "Deposit Insurance",
                "publisher": "Federal Deposit Insurance Corporation",
                "year": 2024,
                "url": "https://www.fdic.gov/resources/deposit-insurance",
            },
            {
                "title": "Start Small, Save Up",
                "publisher": "Consumer Financial Protection Bureau",
                "year": 2024,
                "url": "https://www.consumerfinance.gov/start-small-save-up/",
            },
        ],
    },
    # ------------------------------------------------------------------- travel
    {
        "title": "Packing Light for a Two-Week Trip",
        "slug": "packing-light-two-week-trip",
        "description": (
            "How to travel for two weeks with nothing but a carry-on: what to pack, how to "
            "pack it, getting liquids through security, and washing clothes on the road."
        ),
        "authors": ["jonah"],
        "tags": ["packing", "carry-on", "travel tips"],
        "topics": ["travel"],
        "status": "published",
        "days_ago": 20,
        "body": """\
I used to travel with a suitcase big enough to hide in. Then an airline lost it for four days
in Lisbon, and I discovered I could live quite happily on what was in my backpack plus one
emergency T-shirt. I’ve traveled carry-on only ever since — two weeks, sometimes longer — and I
don’t miss dragging a wheeled monster over cobblestones. ✈️

## The principle: pack for one week

Whether the trip is seven days or twenty-one, pack for about a week and plan to do laundry
once. Almost everywhere has a laundromat, a hotel service or a sink. That single decision cuts
your load in half.

## A carry-on list that works

Here’s roughly what goes into my 35-liter bag for a trip in mild weather:

- **Tops:** four or five, in colors that all go with each other
- **Bottoms:** two pairs of trousers, or one pair plus shorts or a skirt
- **Layers:** one warm mid-layer and one light waterproof jacket
- **Underwear and socks:** five of each, quick-drying if possible
- **Shoes:** two pairs at most — one worn, one packed
- **Toiletries:** a single clear bag of travel-size liquids
- **Tech:** phone, charger, a universal adapter and a small power bank

Wear your bulkiest items — jacket, heavier shoes — on travel days.

## Packing techniques that actually help

1. **Roll soft clothes, fold structured ones.** T-shirts and knits roll tightly; shirts crease
   less if folded around each other.
2. **Use packing cubes.** They don’t create space by magic, but they compress a little and make
   a small bag far easier to live out of. A simple set like
   [these lightweight packing cubes](https://www.amazon.com/dp/B0EXAMPLE2?tag=bylinereview-20)
   is all you need.
3. **Fill the gaps.** Socks go inside shoes; chargers go in the corners.
4. **Lay everything out, then remove a third.** It hurts. Do it anyway.

## Liquids and security

Rules for liquids vary by country, so check before you go. In the US, the TSA’s
[3-1-1 rule](https://www.tsa.gov/travel/security-screening/liquids-aerosols-gels-rule)
means containers of 3.4 ounces (100 ml) or less, all fitting in one quart-size bag. Solid
shampoo bars, stick sunscreen and toothpaste tablets avoid the issue entirely — and they don’t
leak.

## Laundry on the road

A sink, a little travel wash and a towel are all it takes. Wash in the evening, roll the wet
item tightly in a towel and stand on it to squeeze out the water, then hang it overnight.
[Merino](https://en.wikipedia.org/wiki/Merino) and synthetic fabrics will be dry by morning;
cotton jeans will not, which is why I rarely pack them.

Traveling light isn’t about deprivation. It’s about having fewer things to worry about — and
the freedom to hop on a train on a whim.

*Related: [Europe by Rail on a Budget](/posts/europe-by-rail-on-a-budget/)*
""",
        "faqs": [
            (
                "What size bag counts as carry-on?",
                "It depends on the airline. Many accept bags around 22 × 14 × 9 inches "
                "(56 × 36 × 23 cm), but budget carriers are often stricter, so check your ticket.",
            ),
            (
                "Is a backpack or a wheeled bag better?",
                "Backpacks cope better with stairs, cobbles and crowded trains; wheeled bags are "
                "kinder to your back in airports. Think about where you’ll walk most.",
            ),
            (
                "How do I pack for two different climates?",
                "Layer rather than doubling up. A thin base layer, a fleece and a shell jacket "
                "cover a surprising range of temperatures.",
            ),
        ],
        "references": [
            {
                "title": "Liquids, Aerosols and Gels Rule",
                "publisher": "Transportation Security Administration",
                "year": 2024,
                "url": "https://www.tsa.gov/travel/security-screening/liquids-aerosols-gels-rule",
            },
            {
                "title": "Hand luggage",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Hand_luggage",
            },
            {
                "title": "Merino",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Merino",
            },
        ],
    },
    {
        "title": "Europe by Rail on a Budget",
        "slug": "europe-by-rail-on-a-budget",
        "description": (
            "Rail passes or point-to-point tickets? How to find cheap European train fares, "
            "what to know on board, and a two-week loop from Amsterdam to Venice."
        ),
        "authors": ["jonah"],
        "tags": ["trains", "europe", "budget travel", "travel tips"],
        "topics": ["travel", "money"],
        "status": "published",
        "days_ago": 60,
        "body": """\
There’s a moment on almost every European train journey when you look up from your book and
realize the view has changed completely — vineyards where there were suburbs, mountains where
there was sea. On paper, rail is slower than flying, but city centre to city centre it’s often
competitive, and it’s certainly more pleasant. It can also be surprisingly cheap if you know a
few things.

## Passes versus point-to-point tickets

The first decision is whether to buy a rail pass — Interrail for European residents,
[Eurail](https://en.wikipedia.org/wiki/Eurail) for everyone else — or individual tickets.

| | Rail pass | Point-to-point tickets |
| --- | --- | --- |
| Best for | Many journeys, flexible plans | A few fixed journeys |
| Price | Fixed up front | Cheap early, pricey at the last minute |
| Flexibility | Hop on most trains | Cheapest fares tie you to one train |
| Hidden costs | Seat reservations on many fast trains | Few |

A rough rule: if you’ll take a long journey every two or three days, price out a pass. If
you’re visiting three cities over two weeks, advance tickets usually win.

## How to find cheap fares

1. **Book early, but not too early.** Most operators open sales two to six months ahead. The
   cheapest fares appear then and vanish as the date approaches.
2. **Buy from the operator directly.** National rail websites often charge less than resellers.
3. **Travel off-peak.** Midweek, mid-morning departures are often far cheaper than Fridays.
4. **Consider regional trains.** They’re slower, but fares are low and often fixed, and you can
   hop off in small towns along the way.
5. **Look at night trains.** A sleeper berth replaces a night in a hotel, which often makes it
   the cheaper option overall.

For route-by-route advice, *The Man in Seat 61* ([seat61.com](https://www.seat61.com/)) is the
most thorough independent guide there is, and it has kept travelers out of trouble for over
twenty years.

## Practical tips on board

- **Carry food.** Dining cars are lovely but pricey; a picnic from a market is half the fun.
- **Keep your bag small.** Racks fill fast, and lifting a heavy case overhead on a moving train
  is no joke.
- **Save tickets and maps offline.** Tunnels and rural stretches have patchy signal.
- **Watch for platform changes.** Departure boards change, especially at big stations, so keep
  an eye on the app as well.

## A sample two-week loop

Here’s a route I’ve done and loved: Amsterdam → Cologne → Frankfurt → Basel → Milan → Verona →
Venice. No leg is much over four hours, some are spectacular (the Swiss stretch especially),
and with advance tickets it can cost less than the equivalent flights plus airport transfers.

*Related: [Packing Light for a Two-Week Trip](/posts/packing-light-two-week-trip/)*
""",
        "faqs": [
            (
                "Do I need seat reservations with a rail pass?",
                "On many high-speed and night trains, yes, and they cost extra. Most regional "
                "trains don’t need them.",
            ),
            (
                "Is first class worth it?",
                "Occasionally. On advance fares the difference can be small, and you get more "
                "space and quieter carriages, so compare before you book.",
            ),
            (
                "Can I bring a bicycle?",
                "Often, but rules vary by country and train type. Many fast trains need a bike "
                "reservation or require the bike to be bagged.",
            ),
        ],
        "references": [
            {
                "title": "The Man in Seat 61",
                "publisher": "Mark Smith",
                "year": 2024,
                "url": "https://www.seat61.com/",
            },
            {
                "title": "Eurail",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Eurail",
            },
            {
                "title": "Interrail Passes",
                "publisher": "Eurail B.V.",
                "year": 2024,
                "url": "https://www.interrail.eu/en",
            },
        ],
    },
    {
        "title": "What I Learned Cooking in Rental Kitchens",
        "slug": "cooking-in-rental-kitchens",
        "description": (
            "Holiday rentals promise a full kitchen and deliver one warped pan. How to check a "
            "listing, what to pack, and three meals that work in any rental kitchen."
        ),
        "authors": ["jonah"],
        "tags": ["travel tips", "budget meals", "kitchen tools"],
        "topics": ["travel", "cooking"],
        "status": "review",
        "days_ago": 2,
        "body": """\
Eating out is one of the joys of travel, but three restaurant meals a day for two weeks gets
expensive and, honestly, a bit tiring. Over the years I’ve cooked in rented apartments from
Porto to Kyoto, and I’ve learned to expect a kitchen that looks well equipped in the listing
photos and turns out to contain one warped frying pan, a knife that couldn’t cut butter, and
seventeen mismatched mugs.

Here’s how I make it work.

## Check before you book

Listings are optimistic. Before you commit, look for:

- **Photos of the actual stove,** not just the tidy counter. Two burners or four? Gas,
  electric or induction?
- **Any mention of an oven.** Many small apartments in Europe and Asia don’t have one.
- **Reviews that mention cooking.** One guest complaining about “no pots” tells you more than a
  dozen five-star reviews praising the location.

If in doubt, message the host and ask. Most are happy to answer.

## My tiny travel kitchen kit

It all fits in a zip pouch and weighs less than a pair of shoes:

1. A small chef’s knife with a blade guard
2. A rasp grater, which also crushes garlic and grates cheese
3. A few reusable zip bags for leftovers and marinating
4. A little tin of flaky salt and a jar of my favorite spice mix
5. A collapsible silicone colander — yes, really

The knife travels in checked luggage only. Blades are on the TSA’s [list of prohibited carry-on
items](https://www.tsa.gov/travel/security-screening/whatcanibring/all), and airport security
won’t give it back.

## Shop like a local

The market is the best part. Go early, buy what looks best rather than what’s on your list, and
ask stallholders how they would cook it. A woman selling kale in Porto taught me to make
[caldo verde](https://en.wikipedia.org/wiki/Caldo_verde), and an elderly man in Kyoto who spoke
no English explained, very expressively and entirely with his hands, which mushrooms to buy.

Keep the menu simple. A rental kitchen is not the place for a five-course project.

## Three meals that work anywhere

- **A big salad** with whatever greens, cheese and cured meat the local shop has, plus bread.
- **Pasta or noodles** with one or two local vegetables, garlic, and olive oil or butter.
- **An egg dish** — an omelet, shakshuka, or eggs fried in the leftover pan juices.

None needs an oven, and all of them need just one pan and one pot.

## Leave it better than you found it

Wash up, take the recycling out, and leave any unopened staples — salt, oil, a bag of rice —
for the next guest, with a note. Somebody did that for me once in a tiny flat in Naples, and a
half-bottle of very good olive oil made my whole week.

*Related: [Packing Light for a Two-Week Trip](/posts/packing-light-two-week-trip/)*
""",
        "faqs": [
            (
                "Is it safe to use the spices left in a rental?",
                "Usually, though old spices lose their flavor. Sniff them first: if they smell "
                "of nothing, they’ll taste of nothing.",
            ),
            (
                "What if the kitchen has no oven?",
                "Stick to stovetop meals. Many dishes you’d bake can be adapted to a covered pan "
                "over low heat.",
            ),
        ],
        "references": [
            {
                "title": "What Can I Bring?",
                "publisher": "Transportation Security Administration",
                "year": 2024,
                "url": "https://www.tsa.gov/travel/security-screening/whatcanibring/all",
            },
            {
                "title": "Caldo verde",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Caldo_verde",
            },
        ],
    },
    # --------------------------------------------------------------- technology
    {
        "title": "Backing Up Your Family Photos with the 3-2-1 Rule",
        "slug": "family-photo-backups",
        "description": (
            "Phones get lost and drives fail, but your photos don’t have to go with them. Set "
            "up a simple 3-2-1 backup in an afternoon, then check that it actually works."
        ),
        "authors": ["priya"],
        "tags": ["backups", "photos", "data safety", "linux"],
        "topics": ["technology"],
        "status": "published",
        "days_ago": 1,
        "body": """\
Ask anyone who has lost a phone, had a laptop stolen, or heard a hard drive make that quiet
clicking noise, and they’ll tell you the same thing: the files you miss most aren’t the
documents. They’re the photos. Ten years of birthdays can live on a single device, and devices
fail. A sensible backup routine takes an afternoon to set up and then runs without you.

## The 3-2-1 rule

The most widely recommended approach is easy to remember:

- **3** copies of your data (the original plus two backups)
- **2** different kinds of storage, such as your computer’s drive and an external drive
- **1** copy kept off-site, in the cloud or at a relative’s house

The point is that no single event — a burst pipe, a burglary, a ransomware infection — can take
out every copy. Backblaze has a
[clear write-up of the rule](https://www.backblaze.com/blog/the-3-2-1-backup-strategy/)
if you want more detail.

## Step one: gather everything in one place

Photos scatter across phones, old laptops, memory cards and messaging apps. Before you back
anything up, collect them into one folder on your main computer. Organize by year (`2023`,
`2024`…) and don’t chase perfection; a rough structure beats none.

## Step two: a local backup

Buy an external drive at least twice the size of your photo library. On a Mac, *Time Machine*
will handle it; on Windows, *File History* does a similar job. On Linux, or if you prefer
something you can see, `rsync` copies only what has changed since last time:

```bash
# Preview what would change, without copying anything
rsync -av --delete --dry-run ~/Pictures/ /media/backup/Pictures/

# Mirror the Pictures folder to the external drive
rsync -av --delete ~/Pictures/ /media/backup/Pictures/
```

Be careful with `--delete`: it removes files from the backup that you’ve removed from the
source. That keeps the mirror tidy, but an accidental deletion gets copied across on the next
run too. Keep the trailing slashes as shown; they tell rsync to copy the folder’s *contents*.
The [rsync manual](https://download.samba.org/pub/rsync/rsync.1) explains every option.

## Step three: an off-site copy

For most households a cloud backup service or cloud photo library is the easiest off-site
option. Choose one that:

1. Backs up automatically, without you having to remember.
2. Keeps previous versions and deleted files for at least 30 days.
3. Lets you download everything in original quality.

If you’d rather avoid the cloud, a second external drive swapped monthly with a family member
works too.

## Step four: test a restore

A backup you’ve never restored from is a hope, not a backup. Twice a year, pick a few random
photos and restore them from each copy. It takes five minutes, and it’s the only way to know
your system really works. 📷

*Related: [A Gentle Introduction to Password Managers](/posts/password-managers-intro/)*
""",
        "faqs": [
            (
                "Is cloud photo syncing the same as a backup?",
                "Not quite. Syncing copies deletions too, so a photo deleted by mistake may "
                "vanish everywhere. Look for version history or a long-lived trash folder.",
            ),
            (
                "How often should I back up?",
                "Automatic daily backups are ideal. If you back up by hand, do it at least "
                "weekly and after any big event or trip.",
            ),
            (
                "Do SSDs or hard drives last longer?",
                "Both fail eventually, just in different ways. That’s why the 3-2-1 rule relies "
                "on several copies rather than on any one device.",
            ),
        ],
        "references": [
            {
                "title": "The 3-2-1 Backup Strategy",
                "publisher": "Backblaze",
                "year": 2018,
                "url": "https://www.backblaze.com/blog/the-3-2-1-backup-strategy/",
            },
            {
                "title": "rsync(1) manual page",
                "publisher": "The rsync project",
                "year": 2024,
                "url": "https://download.samba.org/pub/rsync/rsync.1",
            },
            {
                "title": "Backup",
                "publisher": "Wikipedia",
                "year": 2024,
                "url": "https://en.wikipedia.org/wiki/Backup",
            },
        ],
    },
    {
        "title": "A Gentle Introduction to Password Managers",
        "slug": "password-managers-intro",
        "description": (
            "Reusing passwords is the easiest way to get hacked. What a password manager does, "
            "how to pick a master password, and how to switch without the overwhelm."
        ),
        "authors": ["priya"],
        "tags": ["passwords", "security", "data safety"],
        "topics": ["technology"],
        "status": "published",
        "days_ago": 90,
        "body": """\
If you’re using the same password — or a handful of variations on it — for most of your
accounts, you’re in very large company. It’s also the most common way accounts get taken over.
When one website is breached, criminals try the leaked email-and-password pairs everywhere
else. This is called *credential stuffing*, and it works precisely because people reuse
passwords.

A password manager fixes the problem without asking you to memorize anything new except one
strong password.

## What a password manager does

It’s an encrypted vault for your logins. It:

- **Generates** long, random, unique passwords for every site
- **Stores** them, encrypted, behind one master password
- **Fills them in** for you on websites and apps
- **Warns you** about reused, weak or breached passwords

Most major browsers and phone operating systems now include a password manager, and there are
plenty of standalone options, free and paid. Any reputable one is vastly better than reuse.

## Choosing a master password

Your master password is the one you must remember, so make it long rather than complicated. A
passphrase of five or six random words is both memorable and strong. The Electronic Frontier
Foundation explains a fun way to make one with [dice and a word
list](https://www.eff.org/dice). Current NIST guidance, [SP
800-63B](https://pages.nist.gov/800-63-3/sp800-63b.html), also favours length over forced
complexity rules like “one symbol and one capital letter.”

## Getting started without the overwhelm

You don’t have to migrate two hundred accounts in one evening. Try this instead:

1. Install the manager on your computer and phone, and set your master password.
2. Turn on two-factor authentication for the password manager itself.
3. Change the passwords for your **email**, **bank** and **main social accounts** first. Email
   matters most, because it can reset everything else.
4. For everything else, let the manager capture passwords as you log in over the next few
   weeks, replacing reused ones as you go.

## Add a second factor

Two-factor authentication (2FA) means a stolen password alone isn’t enough to get in. An
authenticator app or a hardware security key is stronger than a code sent by text message, but
any 2FA is better than none. Switch it on for email and banking at the very least.

## What if the password manager gets hacked?

It’s a reasonable worry. Reputable managers encrypt your vault on your own device using your
master password, so the company never holds a readable copy. A breach of their servers would
be serious but, with a strong master password, not catastrophic. Compare that with reuse,
where one breach at any random website can unlock your whole digital life.

*Related: [Backing Up Your Family Photos with the 3-2-1 Rule](/posts/family-photo-backups/)*
""",
        "faqs": [
            (
                "Is the password manager built into my browser good enough?",
                "For many people, yes, and it’s far better than reusing passwords. Standalone "
                "managers tend to offer better sharing, cross-platform support and reports.",
            ),
            (
                "What happens if I forget my master password?",
                "Often nobody can recover it — that’s the point of the encryption. Set up the "
                "recovery option your manager offers and keep any recovery code somewhere safe.",
            ),
            (
                "Should I share passwords with family?",
                "Many managers support shared vaults, which is much safer than texting "
                "passwords around, and very useful in an emergency.",
            ),
            (
                "How do I know whether my passwords have leaked?",
                "Most password managers check automatically, and the free service "
                "[Have I Been Pwned](https://haveibeenpwned.com/) checks your email address "
                "against known breaches.",
            ),
        ],
        "references": [
            {
                "title": "NIST Special Publication 800-63B: Digital Identity Guidelines",
                "publisher": "National Institute of Standards and Technology",
                "year": 2017,
                "url": "https://pages.nist.gov/800-63-3/sp800-63b.html",
            },
            {
                "title": "Dice-Generated Passphrases",
                "publisher": "Electronic Frontier Foundation",
                "year": 2016,
                "url": "https://www.eff.org/dice",
            },
            {
                "title": "Use Strong Passwords",
                "publisher": "Cybersecurity and Infrastructure Security Agency",
                "year": 2023,
                "url": "https://www.cisa.gov/secure-our-world/use-strong-passwords",
            },
        ],
    },
    # ----------------------------------------------------------------- archived
    {
        "title": "Gifts for Home Cooks Under $50 (2023 Edition)",
        "slug": "gifts-for-home-cooks-2023",
        "description": (
            "Thoughtful gifts for someone who already loves to cook, all under about $50: "
            "everyday tools, consumables that won’t become clutter, and experiences."
        ),
        "authors": ["maya"],
        "tags": ["gift guide", "kitchen tools", "cast iron"],
        "topics": ["cooking"],
        "status": "archived",
        "days_ago": 400,
        "body": """\
Every December, friends ask me the same question: *what do I get for someone who already loves
to cook?* The honest answer is that most keen cooks don’t need another single-purpose gadget.
They need good versions of the basics, or something consumable they’d never buy for
themselves. Here’s my list for this year, all under about $50. 🎁

*Prices were checked in late November 2023 and will certainly have changed since.*

## Tools that get used every day

- **A bench scraper.** Moves chopped vegetables from board to pan, cleans the counter and
  portions dough. Under $15 and absurdly useful.
- **An instant-read thermometer.** Takes the guesswork out of roasts, bread and sugar work.
  This [fast digital thermometer](https://amzn.to/3ExAmP2) is the one I’ve used for years.
- **A rasp grater.** The [Microplane](https://en.wikipedia.org/wiki/Microplane) began life as
  a woodworking tool; in the kitchen it handles zest, hard cheese, garlic, ginger and nutmeg.
- **A really good peeler.** Cheap Y-shaped peelers outperform most expensive models.

## Consumables — no clutter!

Cooks run out of things. A lovely version of something they use constantly is always welcome:

1. A bottle of genuinely good olive oil from a single producer
2. Flaky sea salt in a nice tin
3. Whole spices from a specialist merchant — smoked paprika, Aleppo pepper, real cinnamon
4. A jar of local honey or a small-batch hot sauce

## For the cast-iron devotee

A **chainmail scrubber** and a small tin of seasoning wax make a tidy stocking stuffer. If
they don’t own a skillet yet, a 10-inch pre-seasoned pan from a long-established maker costs
less than you’d think and, treated well, will last several lifetimes.

## Experiences beat things

Some of the best food gifts can’t be wrapped at all:

- A class at a local cookery school or community college
- A subscription to a food magazine or a cookbook club
- An IOU for a homemade dinner, cooked by *you*, with all the washing-up included

## A note on buying well

Look for things with simple, replaceable parts, and check whether the recipient already owns
something similar — nobody needs two stand mixers. The Wikipedia list of
[kitchen utensils](https://en.wikipedia.org/wiki/Kitchen_utensil) is a surprisingly fun browse
for ideas, and independent kitchen shops often give better advice than any website.

*Related: [Cast Iron Care, Demystified](/posts/cast-iron-care-demystified/)*
""",
        "faqs": [
            (
                "Are some of these affiliate links?",
                "Yes. If you buy through them, *The Byline Review* may earn a small commission "
                "at no extra cost to you. It never affects what we recommend.",
            ),
            (
                "What if I don’t know what they already own?",
                "Choose consumables. Good salt, oil or spices get used up, so there’s no risk of "
                "giving a duplicate.",
            ),
        ],
        "references": [
            {
                "title": "Kitchen utensil",
                "publisher": "Wikipedia",
                "year": 2023,
                "url": "https://en.wikipedia.org/wiki/Kitchen_utensil",
            },
            {
                "title": "Microplane",
                "publisher": "Wikipedia",
                "year": 2023,
                "url": "https://en.wikipedia.org/wiki/Microplane",
            },
        ],
    },
]
