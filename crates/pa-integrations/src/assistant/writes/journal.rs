//! Notes and journal entries, daily check-ins, long-term memories.

use pa_core::ids::NoteId;
use pa_core::journal::{DailyCheckIn, Memory, Note};
use pa_core::ports::UserStore;
use pa_core::time::Day;

use super::Written;
use crate::assistant::Person;
use crate::error::Result;

impl Person {
    /// Writes a note (a journal entry when tagged `journal`), created now.
    pub fn add_note(&self, title: &str, body: &str, tags: Vec<String>) -> Result<Written<Note>> {
        if title.trim().is_empty() && body.trim().is_empty() {
            return Err(pa_core::Error::invalid("note", "title and text are both blank").into());
        }
        let id = NoteId::new(self.mint::<Note>("n", &format!("{title}\n{body}"))?)?;
        self.put(Note {
            id,
            title: title.trim().to_owned(),
            body: body.to_owned(),
            tags,
            created: self.now(),
        })
    }

    /// The daily check-in of `day` (default: today): the parts given replace that day's, the
    /// rest of an earlier check-in that day stays. Mood and energy are 1–5.
    pub fn check_in(
        &self,
        day: Option<Day>,
        mood: Option<u8>,
        energy: Option<u8>,
        notes: Option<&str>,
    ) -> Result<Written<DailyCheckIn>> {
        let day = match day {
            Some(d) => d,
            None => self.today(None)?,
        };
        let mut c = self
            .handle
            .record::<DailyCheckIn>(&day.to_string())?
            .unwrap_or(DailyCheckIn {
                day,
                answers: Vec::new(),
                mood: None,
                energy: None,
                notes: String::new(),
            });
        c.mood = mood.or(c.mood);
        c.energy = energy.or(c.energy);
        if let Some(n) = notes {
            n.clone_into(&mut c.notes);
        }
        c.validate()?;
        self.put(c)
    }

    /// Remembers `content` with tags and an importance of 1 (trivia) to 5 (essential).
    pub fn remember(
        &self,
        content: &str,
        tags: Vec<String>,
        importance: u8,
    ) -> Result<Written<Memory>> {
        let mut memory = Memory {
            // Checked under a placeholder id first, so an error names no id never stored.
            id: NoteId::new("(new)")?,
            content: content.trim().to_owned(),
            tags,
            importance,
            created: self.now(),
            last_accessed: None,
        };
        memory.validate()?;
        memory.id = NoteId::new(self.mint::<Memory>("m", content)?)?;
        self.put(memory)
    }
}
