//! Daily check-ins, notes, long-term memories, and similarity search over embedded memory chunks.
//!
//! Search is brute-force cosine similarity (fine to ~100,000 chunks). Embeddings come from an
//! [`Embedder`]: the library ships [`HashingEmbedder`], a deterministic feature-hashing embedder
//! (words and character trigrams hashed into a fixed number of signed dimensions, then L2
//! normalised) that needs no model, so tests are stable and nothing is downloaded. A model-backed
//! embedder can implement the same trait.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::NoteId;
use crate::time::Day;

/// One prompt and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question ("What went well?").
    pub prompt: String,
    /// The answer.
    pub answer: String,
}

/// A day's check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCheckIn {
    /// The day.
    pub day: Day,
    /// Prompts and answers.
    pub answers: Vec<Answer>,
    /// Mood, 1 (low) – 5 (great).
    pub mood: Option<u8>,
    /// Energy, 1 – 5.
    pub energy: Option<u8>,
    /// Free notes.
    pub notes: String,
}

impl DailyCheckIn {
    /// Checks that mood and energy are 1–5.
    pub fn validate(&self) -> Result<()> {
        for (field, v) in [("mood", self.mood), ("energy", self.energy)] {
            if let Some(v) = v
                && !(1..=5).contains(&v)
            {
                return Err(Error::invalid(
                    format!("{field} on {}", self.day),
                    format!("{v} is not 1–5"),
                ));
            }
        }
        Ok(())
    }
}

/// Mean mood of the check-ins that have one; `None` if none do.
pub fn average_mood<'a>(checkins: impl IntoIterator<Item = &'a DailyCheckIn>) -> Option<f64> {
    let moods: Vec<f64> = checkins
        .into_iter()
        .filter_map(|c| c.mood.map(f64::from))
        .collect();
    (!moods.is_empty()).then(|| moods.iter().sum::<f64>() / moods.len() as f64)
}

/// A note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// pa's id.
    pub id: NoteId,
    /// Title.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Tags.
    pub tags: Vec<String>,
    /// When it was written.
    pub created: DateTime<Utc>,
}

/// Something the assistant should remember about the person (the seed systems' `ltm_memories`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    /// pa's id.
    pub id: NoteId,
    /// What to remember.
    pub content: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Importance, 1 (trivia) – 5 (essential).
    pub importance: u8,
    /// When it was learned.
    pub created: DateTime<Utc>,
    /// When it was last used.
    pub last_accessed: Option<DateTime<Utc>>,
}

impl Memory {
    /// Checks importance 1–5 and non-empty content.
    pub fn validate(&self) -> Result<()> {
        if !(1..=5).contains(&self.importance) {
            return Err(Error::invalid(
                format!("memory {}", self.id),
                format!("importance {} is not 1–5", self.importance),
            ));
        }
        if self.content.trim().is_empty() {
            return Err(Error::invalid(
                format!("memory {}", self.id),
                "content is empty",
            ));
        }
        Ok(())
    }
}

/// A piece of text with its embedding (the seed systems' `memory_chunks` and `memory_metadata`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryChunk {
    /// pa's id.
    pub id: NoteId,
    /// The text.
    pub content: String,
    /// Its embedding.
    pub embedding: Vec<f32>,
    /// Free key/value metadata (source, date, …).
    pub metadata: BTreeMap<String, String>,
}

/// Turns text into a vector.
pub trait Embedder {
    /// The embedding of `text`; every call returns the same dimension.
    fn embed(&self, text: &str) -> Vec<f32>;
}

/// A deterministic embedder that needs no model: FNV-1a hashes of lower-cased words and character
/// trigrams, each adding ±1 to one of `dims` dimensions, L2-normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingEmbedder {
    /// Number of dimensions.
    pub dims: usize,
}

impl Default for HashingEmbedder {
    fn default() -> Self {
        Self { dims: 512 }
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Embedder for HashingEmbedder {
    fn embed(&self, text: &str) -> Vec<f32> {
        let dims = self.dims.max(1);
        let mut v = vec![0.0_f32; dims];
        let lower = text.to_lowercase();
        let mut add = |feature: &[u8]| {
            let h = fnv1a(feature);
            let sign = if h & 1 == 0 { 1.0 } else { -1.0 };
            v[((h >> 1) % dims as u64) as usize] += sign;
        };
        for word in lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            add(word.as_bytes());
            let padded: Vec<char> = format!(" {word} ").chars().collect();
            for w in padded.windows(3) {
                add(w.iter().collect::<String>().as_bytes());
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

/// Cosine similarity; 0 when either vector is all zeros.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0.0_f32, 0.0_f32, 0.0_f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

/// The `k` chunks most similar to `query`, most similar first (ties by id). An error names a chunk
/// whose embedding has another dimension than the query.
pub fn top_k<'a>(
    chunks: &'a [MemoryChunk],
    query: &[f32],
    k: usize,
) -> Result<Vec<(&'a MemoryChunk, f32)>> {
    if query.is_empty() {
        return Err(Error::invalid("query embedding", "is empty"));
    }
    let mut scored = Vec::with_capacity(chunks.len());
    for c in chunks {
        if c.embedding.len() != query.len() {
            return Err(Error::invalid(
                format!("memory chunk {}", c.id),
                format!(
                    "embedding has {} dimensions, the query {}",
                    c.embedding.len(),
                    query.len()
                ),
            ));
        }
        scored.push((c, cosine(&c.embedding, query)));
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
    scored.truncate(k);
    Ok(scored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: &str, text: &str, e: &HashingEmbedder) -> MemoryChunk {
        MemoryChunk {
            id: NoteId::new(id).unwrap(),
            content: text.into(),
            embedding: e.embed(text),
            metadata: BTreeMap::new(),
        }
    }

    #[test]
    fn similar_text_ranks_first() {
        let e = HashingEmbedder::default();
        let chunks = vec![
            chunk("a", "Anna is allergic to peanuts", &e),
            chunk("b", "The car needs new winter tyres before December", &e),
            chunk("c", "Prefers morning runs along the river", &e),
        ];
        let hits = top_k(&chunks, &e.embed("peanut allergy"), 2).unwrap();
        assert_eq!(hits[0].0.id.as_str(), "a");
        assert_eq!(hits.len(), 2);
        assert!(hits[0].1 > hits[1].1);
        assert_eq!(e.embed("same text"), e.embed("same text"));
        assert!((cosine(&e.embed("x y z"), &e.embed("x y z")) - 1.0).abs() < 1e-5);
        let other = HashingEmbedder { dims: 8 };
        assert!(top_k(&chunks, &other.embed("peanut"), 1).is_err());
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn checkins_and_memories_validate() {
        let mut c = DailyCheckIn {
            day: "2026-01-01".parse().unwrap(),
            answers: vec![],
            mood: Some(4),
            energy: Some(6),
            notes: String::new(),
        };
        assert!(c.validate().is_err());
        c.energy = Some(3);
        assert!(c.validate().is_ok());
        let c2 = DailyCheckIn {
            mood: Some(2),
            ..c.clone()
        };
        assert_eq!(average_mood([&c, &c2]), Some(3.0));
        let m = Memory {
            id: NoteId::new("m").unwrap(),
            content: "x".into(),
            tags: vec![],
            importance: 0,
            created: Utc::now(),
            last_accessed: None,
        };
        assert!(m.validate().is_err());
    }
}
