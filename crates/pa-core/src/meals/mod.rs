//! Recipes, a week's meal plan, and the grocery list it needs.
//!
//! The grocery list scales each recipe to the planned servings and adds up the same ingredient
//! (names compared case-insensitively, trimmed) when the units measure the same thing: mass (g, kg,
//! oz, lb), volume (ml, l, tsp, tbsp, cup, fl oz) or count (pieces). Sums are kept in grams,
//! millilitres or pieces and shown in kg or l from 1000 up. The same ingredient in units of different
//! kinds (2 eggs and 100 g of egg) stays on separate lines. Ingredients without a quantity ("salt")
//! appear once.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::RecipeId;
use crate::time::{Day, Week};

/// A unit of measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Grams.
    Gram,
    /// Kilograms.
    Kilogram,
    /// Ounces (28.349523125 g).
    Ounce,
    /// Pounds (453.59237 g).
    Pound,
    /// Millilitres.
    Millilitre,
    /// Litres.
    Litre,
    /// Teaspoons (5 ml).
    Teaspoon,
    /// Tablespoons (15 ml).
    Tablespoon,
    /// Cups (240 ml).
    Cup,
    /// US fluid ounces (29.5735295625 ml).
    FluidOunce,
    /// Pieces.
    Piece,
}

/// What a unit measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Grams.
    Mass,
    /// Millilitres.
    Volume,
    /// Pieces.
    Count,
}

impl Unit {
    /// What it measures and how many base units (g, ml, piece) one of it is.
    pub const fn base(self) -> (Dimension, f64) {
        match self {
            Unit::Gram => (Dimension::Mass, 1.0),
            Unit::Kilogram => (Dimension::Mass, 1000.0),
            Unit::Ounce => (Dimension::Mass, 28.349_523_125),
            Unit::Pound => (Dimension::Mass, 453.592_37),
            Unit::Millilitre => (Dimension::Volume, 1.0),
            Unit::Litre => (Dimension::Volume, 1000.0),
            Unit::Teaspoon => (Dimension::Volume, 5.0),
            Unit::Tablespoon => (Dimension::Volume, 15.0),
            Unit::Cup => (Dimension::Volume, 240.0),
            Unit::FluidOunce => (Dimension::Volume, 29.573_529_562_5),
            Unit::Piece => (Dimension::Count, 1.0),
        }
    }

    /// The short symbol.
    pub const fn symbol(self) -> &'static str {
        match self {
            Unit::Gram => "g",
            Unit::Kilogram => "kg",
            Unit::Ounce => "oz",
            Unit::Pound => "lb",
            Unit::Millilitre => "ml",
            Unit::Litre => "l",
            Unit::Teaspoon => "tsp",
            Unit::Tablespoon => "tbsp",
            Unit::Cup => "cup",
            Unit::FluidOunce => "fl oz",
            Unit::Piece => "pcs",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Unit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim().to_ascii_lowercase().trim_end_matches('.') {
            "g" | "gram" | "grams" => Unit::Gram,
            "kg" | "kilogram" | "kilograms" => Unit::Kilogram,
            "oz" | "ounce" | "ounces" => Unit::Ounce,
            "lb" | "lbs" | "pound" | "pounds" => Unit::Pound,
            "ml" | "millilitre" | "milliliter" | "millilitres" | "milliliters" => Unit::Millilitre,
            "l" | "litre" | "liter" | "litres" | "liters" => Unit::Litre,
            "tsp" | "teaspoon" | "teaspoons" => Unit::Teaspoon,
            "tbsp" | "tablespoon" | "tablespoons" => Unit::Tablespoon,
            "cup" | "cups" => Unit::Cup,
            "fl oz" | "floz" | "fluid ounce" | "fluid ounces" => Unit::FluidOunce,
            "" | "pc" | "pcs" | "piece" | "pieces" | "each" | "x" => Unit::Piece,
            other => {
                return Err(Error::invalid(
                    "unit",
                    format!("'{other}' is not a known unit"),
                ));
            }
        })
    }
}

/// An amount with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// How much (≥ 0).
    pub amount: f64,
    /// Of what.
    pub unit: Unit,
}

/// One line of a recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ingredient {
    /// Name ("flour").
    pub name: String,
    /// How much; `None` for "to taste".
    pub quantity: Option<Quantity>,
}

/// A recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// pa's id.
    pub id: RecipeId,
    /// Name.
    pub name: String,
    /// Servings the quantities make (≥ 1).
    pub servings: u32,
    /// Ingredients.
    pub ingredients: Vec<Ingredient>,
}

impl Recipe {
    /// Checks servings are at least 1 and amounts are finite and not negative.
    pub fn validate(&self) -> Result<()> {
        let what = || format!("recipe {}", self.id);
        if self.servings == 0 {
            return Err(Error::invalid(what(), "servings must be at least 1"));
        }
        for ing in &self.ingredients {
            if let Some(q) = ing.quantity
                && !(q.amount.is_finite() && q.amount >= 0.0)
            {
                return Err(Error::invalid(
                    what(),
                    format!("amount of {} must be finite and not negative", ing.name),
                ));
            }
        }
        Ok(())
    }
}

/// Which meal of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MealSlot {
    /// Morning.
    Breakfast,
    /// Midday.
    Lunch,
    /// Evening.
    Dinner,
    /// In between.
    Snack,
}

/// A meal in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedMeal {
    /// The day.
    pub day: Day,
    /// The meal.
    pub slot: MealSlot,
    /// The recipe.
    pub recipe: RecipeId,
    /// Servings to make (≥ 1).
    pub servings: u32,
}

/// A week of meals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MealPlan {
    /// The week.
    pub week: Week,
    /// The meals.
    pub meals: Vec<PlannedMeal>,
}

/// One line of a grocery list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroceryItem {
    /// Name (as first written).
    pub name: String,
    /// How much, when known.
    pub quantity: Option<Quantity>,
    /// Already bought.
    pub checked: bool,
}

/// The grocery list for a meal plan (see the module rules), sorted by name.
///
/// Errors name the record: a meal outside the plan's week, an unknown recipe, zero servings, a
/// negative or non-finite amount.
pub fn grocery_list(plan: &MealPlan, recipes: &[Recipe]) -> Result<Vec<GroceryItem>> {
    let (first, last): (Day, Day) = (plan.week.first_day(), plan.week.last_day());
    // (lower-cased name, dimension or none) → (display name, base amount)
    let mut sums: BTreeMap<(String, Option<Dimension>), (String, f64)> = BTreeMap::new();
    for meal in &plan.meals {
        let what = || format!("{} {:?} on {}", meal.recipe, meal.slot, meal.day);
        if meal.day < first || meal.day > last {
            return Err(Error::invalid(
                what(),
                format!("is outside week {}", plan.week),
            ));
        }
        let recipe = recipes
            .iter()
            .find(|r| r.id == meal.recipe)
            .ok_or_else(|| Error::invalid(what(), "the recipe is unknown"))?;
        if meal.servings == 0 || recipe.servings == 0 {
            return Err(Error::invalid(what(), "servings must be at least 1"));
        }
        let scale = f64::from(meal.servings) / f64::from(recipe.servings);
        for ing in &recipe.ingredients {
            let key_name = ing.name.trim().to_lowercase();
            match ing.quantity {
                Some(q) => {
                    crate::error::non_negative(
                        &format!("amount of {} in {}", ing.name, recipe.name),
                        q.amount,
                    )?;
                    let (dim, factor) = q.unit.base();
                    let e = sums
                        .entry((key_name, Some(dim)))
                        .or_insert_with(|| (ing.name.trim().to_owned(), 0.0));
                    e.1 += q.amount * factor * scale;
                }
                None => {
                    sums.entry((key_name, None))
                        .or_insert_with(|| (ing.name.trim().to_owned(), 0.0));
                }
            }
        }
    }
    Ok(sums
        .into_iter()
        .map(|((_, dim), (name, base))| {
            let quantity = dim.map(|d| {
                let (amount, unit) = match d {
                    Dimension::Mass if base >= 1000.0 => (base / 1000.0, Unit::Kilogram),
                    Dimension::Mass => (base, Unit::Gram),
                    Dimension::Volume if base >= 1000.0 => (base / 1000.0, Unit::Litre),
                    Dimension::Volume => (base, Unit::Millilitre),
                    Dimension::Count => (base, Unit::Piece),
                };
                Quantity {
                    amount: (amount * 1000.0).round() / 1000.0,
                    unit,
                }
            });
            GroceryItem {
                name,
                quantity,
                checked: false,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(amount: f64, unit: &str) -> Option<Quantity> {
        Some(Quantity {
            amount,
            unit: unit.parse().unwrap(),
        })
    }

    fn ing(name: &str, quantity: Option<Quantity>) -> Ingredient {
        Ingredient {
            name: name.into(),
            quantity,
        }
    }

    #[test]
    fn merges_compatible_units_and_scales_servings() {
        let pancakes = Recipe {
            id: RecipeId::new("pancakes").unwrap(),
            name: "Pancakes".into(),
            servings: 2,
            ingredients: vec![
                ing("Flour", q(200.0, "g")),
                ing("Milk", q(1.0, "cup")),
                ing("Egg", q(2.0, "")),
                ing("Salt", None),
            ],
        };
        let bread = Recipe {
            id: RecipeId::new("bread").unwrap(),
            name: "Bread".into(),
            servings: 1,
            ingredients: vec![
                ing("flour", q(0.9, "kg")),
                ing("milk", q(2.0, "tbsp")),
                ing("salt", None),
                ing("egg", q(50.0, "g")),
            ],
        };
        let week = Week::new(2026, 10).unwrap();
        let day = |d: &str| d.parse::<Day>().unwrap();
        let plan = MealPlan {
            week,
            meals: vec![
                PlannedMeal {
                    day: day("2026-03-02"),
                    slot: MealSlot::Breakfast,
                    recipe: pancakes.id.clone(),
                    servings: 4,
                },
                PlannedMeal {
                    day: day("2026-03-04"),
                    slot: MealSlot::Dinner,
                    recipe: bread.id.clone(),
                    servings: 1,
                },
            ],
        };
        let list = grocery_list(&plan, &[pancakes.clone(), bread]).unwrap();
        let lines: Vec<String> = list
            .iter()
            .map(|g| match g.quantity {
                Some(q) => format!("{} {} {}", g.name, q.amount, q.unit),
                None => g.name.clone(),
            })
            .collect();
        assert_eq!(
            lines,
            [
                "egg 50 g",
                "Egg 4 pcs",
                "Flour 1.3 kg",
                "Milk 510 ml",
                "Salt"
            ]
        );
        let bad = MealPlan {
            week,
            meals: vec![PlannedMeal {
                day: day("2026-03-09"),
                slot: MealSlot::Lunch,
                recipe: pancakes.id.clone(),
                servings: 1,
            }],
        };
        assert!(
            grocery_list(&bad, std::slice::from_ref(&pancakes))
                .unwrap_err()
                .to_string()
                .contains("outside week 2026-W10")
        );
        let unknown = MealPlan {
            week,
            meals: vec![PlannedMeal {
                day: day("2026-03-03"),
                slot: MealSlot::Lunch,
                recipe: RecipeId::new("soup").unwrap(),
                servings: 1,
            }],
        };
        assert!(
            grocery_list(&unknown, &[pancakes])
                .unwrap_err()
                .to_string()
                .contains("recipe is unknown")
        );
        assert!("handful".parse::<Unit>().is_err());
    }
}
