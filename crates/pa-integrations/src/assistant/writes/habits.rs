//! Habits: create, edit, archive, check in, undo; found by name or id.

use pa_core::habits::{EntryValue, Frequency, Habit, HabitEntry};
use pa_core::ids::HabitId;
use pa_core::ports::{HabitEntryRecord, StoredHabit, UserStore};
use pa_core::time::Day;

use super::{Written, one};
use crate::assistant::Person;
use crate::error::{Error, Result};

/// Changes to a habit: each part given replaces the habit's own.
#[derive(Debug, Clone, Default)]
pub struct HabitChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new category (`Some(None)` removes it).
    pub category: Option<Option<String>>,
    /// A new frequency.
    pub frequency: Option<Frequency>,
    /// Archive (hide from the daily lists) or bring back.
    pub archived: Option<bool>,
}

impl Person {
    /// Every habit, archived ones too, in name order.
    pub fn habits(&self) -> Result<Vec<StoredHabit>> {
        let mut all = self.handle.records::<StoredHabit>(None)?;
        all.sort_by(|a, b| a.record.name.cmp(&b.record.name).then(a.id.cmp(&b.id)));
        Ok(all)
    }

    /// The habit `reference` names: its id, or its name ignoring case.
    pub fn habit(&self, reference: &str) -> Result<StoredHabit> {
        let all = self.habits()?;
        one(
            &all,
            "habit",
            reference,
            |h| h.id.as_str(),
            |h| &h.record.name,
            false,
        )
        .cloned()
    }

    /// The habit `reference` names (id or name) with its entries up to `as_of`.
    pub fn habit_with_entries(
        &self,
        reference: &str,
        as_of: Day,
    ) -> Result<(StoredHabit, Vec<HabitEntry>)> {
        let habit = self.habit(reference)?;
        let mut entries: Vec<HabitEntry> = self
            .handle
            .children::<HabitEntryRecord>(habit.id.as_str())?
            .into_iter()
            .map(|e| e.entry)
            .filter(|e| e.day <= as_of)
            .collect();
        entries.sort_by_key(|e| e.day);
        Ok((habit, entries))
    }

    /// Adds a habit; a habit of the same name (ignoring case) is a conflict, since names are how
    /// people find them.
    pub fn add_habit(&self, habit: Habit) -> Result<Written<StoredHabit>> {
        habit.validate()?;
        let name = habit.name.trim().to_lowercase();
        if let Some(same) = self
            .habits()?
            .into_iter()
            .find(|h| h.record.name.trim().to_lowercase() == name)
        {
            return Err(Error::Conflict {
                what: format!("habit '{}'", habit.name.trim()),
                reason: format!("there is one of that name already ({})", same.id),
            });
        }
        let id = HabitId::new(self.mint::<StoredHabit>("h", &habit.name)?)?;
        self.put(StoredHabit { id, record: habit })
    }

    /// Changes the habit `reference` names.
    pub fn edit_habit(
        &self,
        reference: &str,
        changes: HabitChanges,
    ) -> Result<Written<StoredHabit>> {
        let mut stored = self.habit(reference)?;
        let h = &mut stored.record;
        if let Some(name) = changes.name {
            let taken = self.habits()?.into_iter().find(|o| {
                o.id != stored.id
                    && o.record.name.trim().to_lowercase() == name.trim().to_lowercase()
            });
            if let Some(o) = taken {
                return Err(Error::Conflict {
                    what: format!("habit '{}'", name.trim()),
                    reason: format!("there is one of that name already ({})", o.id),
                });
            }
            h.name = name;
        }
        if let Some(category) = changes.category {
            h.category = category;
        }
        if let Some(frequency) = changes.frequency {
            h.frequency = frequency;
        }
        if let Some(archived) = changes.archived {
            h.archived = archived;
        }
        self.put(stored)
    }

    /// Records `value` for the habit `reference` names on `day` (default: today), replacing
    /// that day's entry: yes, no or skip for a yes/no habit, an amount for a numerical one.
    pub fn check_habit(
        &self,
        reference: &str,
        day: Option<Day>,
        value: EntryValue,
    ) -> Result<Written<HabitEntryRecord>> {
        let mut draft = super::draft::Draft::new(self);
        let record = draft.habit_check(reference, day, value)?;
        Ok(Written {
            change: draft.commit()?.0,
            record,
        })
    }

    /// Removes the entry of the habit `reference` names on `day` (default: today).
    pub fn undo_habit(
        &self,
        reference: &str,
        day: Option<Day>,
    ) -> Result<Written<HabitEntryRecord>> {
        let habit = self.habit(reference)?;
        let day = match day {
            Some(d) => d,
            None => self.today(None)?,
        };
        let key = format!("{}/{day}", habit.id);
        let Some(entry) = self.handle.record::<HabitEntryRecord>(&key)? else {
            return Err(Error::NotFound {
                what: format!("an entry of habit '{}' on {day}", habit.record.name),
            });
        };
        self.remove(entry)
    }
}
