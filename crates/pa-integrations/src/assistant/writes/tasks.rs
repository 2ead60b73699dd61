//! Tasks and projects: add, edit, complete, reopen, cancel, delete, list.

use pa_core::ids::{ExternalRef, ProjectId, TaskId};
use pa_core::ports::UserStore;
use pa_core::tasks::{Due, Priority, Project, Task};
use pa_core::time::Day;

use super::{Written, one};
use crate::assistant::Person;
use crate::error::Result;

/// A task to add.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    /// Title.
    pub title: String,
    /// Notes.
    pub notes: String,
    /// Due day or instant.
    pub due: Option<Due>,
    /// The day it is planned for.
    pub scheduled: Option<Day>,
    /// Priority.
    pub priority: Priority,
    /// The project, by name or id; a name not yet known makes the project.
    pub project: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The source's id: adding the same external task again changes nothing.
    pub external: Option<ExternalRef>,
}

/// Changes to a task: each part given replaces the task's own.
#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    /// A new title.
    pub title: Option<String>,
    /// New notes.
    pub notes: Option<String>,
    /// A new due day or instant (`Some(None)` removes it).
    pub due: Option<Option<Due>>,
    /// A new priority.
    pub priority: Option<Priority>,
    /// A new project by name or id (`Some(None)` removes it).
    pub project: Option<Option<String>>,
    /// New tags.
    pub tags: Option<Vec<String>>,
}

/// Which tasks a list holds.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Done and cancelled tasks too (default: open ones only).
    pub all: bool,
    /// Only this project's (name or id).
    pub project: Option<String>,
    /// Only tasks with this tag.
    pub tag: Option<String>,
    /// Only tasks due on or before this day (in the person's zone).
    pub due_by: Option<Day>,
}

/// Which tasks a reference may name: a task is found by id among all, by title among these.
#[derive(Clone, Copy)]
enum Among {
    Open,
    Closed,
    All,
}

impl Person {
    /// Every project, in name order.
    pub fn projects(&self) -> Result<Vec<Project>> {
        let mut all = self.handle.records::<Project>(None)?;
        all.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(all)
    }

    /// Adds a project, or returns the one of that name.
    pub fn add_project(&self, name: &str) -> Result<Written<Project>> {
        if name.trim().is_empty() {
            return Err(pa_core::Error::invalid("project", "name must not be blank").into());
        }
        let all = self.projects()?;
        if let Some(p) = all
            .iter()
            .find(|p| p.name.trim().to_lowercase() == name.trim().to_lowercase())
        {
            return Ok(Written {
                change: super::Change::Unchanged,
                record: p.clone(),
            });
        }
        let id = ProjectId::new(self.mint::<Project>("p", name)?)?;
        self.put(Project {
            id,
            name: name.trim().to_owned(),
            archived: false,
        })
    }

    fn project_id(&self, reference: &str) -> Result<ProjectId> {
        let all = self.projects()?;
        match pa_core::lookup::find(&all, reference, |p| p.id.as_str(), |p| &p.name, false) {
            Ok(p) => Ok(p.id.clone()),
            Err(pa_core::lookup::Miss::None) => Ok(self.add_project(reference)?.record.id),
            Err(many) => Err(many
                .ambiguity("project", reference)
                .unwrap_or_else(|| pa_core::Error::invalid("project", reference))
                .into()),
        }
    }

    /// Tasks as `filter` picks them, most urgent first (due soonest, then priority, then title).
    pub fn tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>> {
        let zone = self.zone(None)?;
        let project = match &filter.project {
            Some(p) => {
                let all = self.projects()?;
                Some(
                    one(&all, "project", p, |p| p.id.as_str(), |p| &p.name, false)?
                        .id
                        .clone(),
                )
            }
            None => None,
        };
        let mut tasks: Vec<Task> = self
            .handle
            .records::<Task>(None)?
            .into_iter()
            .filter(|t| filter.all || t.status.is_open())
            .filter(|t| project.is_none() || t.project == project)
            .filter(|t| filter.tag.as_ref().is_none_or(|tag| t.tags.contains(tag)))
            .filter(|t| {
                filter
                    .due_by
                    .is_none_or(|by| t.due.is_some_and(|d| d.day(zone) <= by))
            })
            .collect();
        tasks.sort_by(|a, b| {
            let due = |t: &Task| t.due.map(|d| d.day(zone));
            (
                due(a).is_none(),
                due(a),
                std::cmp::Reverse(a.priority),
                &a.title,
                &a.id,
            )
                .cmp(&(
                    due(b).is_none(),
                    due(b),
                    std::cmp::Reverse(b.priority),
                    &b.title,
                    &b.id,
                ))
        });
        Ok(tasks)
    }

    fn find_task(&self, reference: &str, among: Among) -> Result<Task> {
        let all = self.handle.records::<Task>(None)?;
        if let Some(t) = all.iter().find(|t| t.id.as_str() == reference.trim()) {
            return Ok(t.clone());
        }
        let scoped: Vec<Task> = all
            .into_iter()
            .filter(|t| match among {
                Among::Open => t.status.is_open(),
                Among::Closed => !t.status.is_open(),
                Among::All => true,
            })
            .collect();
        one(
            &scoped,
            "task",
            reference,
            |t| t.id.as_str(),
            |t| &t.title,
            true,
        )
        .cloned()
    }

    /// The task `reference` names: its id, its title, or a part of its title naming one task.
    pub fn task(&self, reference: &str) -> Result<Task> {
        self.find_task(reference, Among::All)
    }

    /// Adds a task (created now). With an external id already stored, that task is returned
    /// unchanged.
    pub fn add_task(&self, new: NewTask) -> Result<Written<Task>> {
        if let Some(ext) = &new.external
            && let Some(same) = self
                .handle
                .records::<Task>(None)?
                .into_iter()
                .find(|t| t.external.as_ref() == Some(ext))
        {
            return Ok(Written {
                change: super::Change::Unchanged,
                record: same,
            });
        }
        // Checked under a placeholder id first, so an error names no id that was never stored.
        Task::new(TaskId::new("(new)")?, new.title.trim(), self.now()).validate()?;
        let project = match &new.project {
            Some(p) => Some(self.project_id(p)?),
            None => None,
        };
        let id = TaskId::new(self.mint::<Task>("t", &new.title)?)?;
        let task = Task {
            external: new.external,
            notes: new.notes,
            priority: new.priority,
            due: new.due,
            scheduled: new.scheduled,
            project,
            tags: new.tags,
            ..Task::new(id, new.title.trim(), self.now())
        };
        self.put(task)
    }

    /// Changes the open task `reference` names; its id and external reference stay, so a synced
    /// task is updated at its source, not duplicated.
    pub fn edit_task(&self, reference: &str, changes: TaskChanges) -> Result<Written<Task>> {
        let mut t = self.find_task(reference, Among::Open)?;
        if let Some(title) = changes.title {
            t.title = title.trim().to_owned();
        }
        if let Some(notes) = changes.notes {
            t.notes = notes;
        }
        if let Some(due) = changes.due {
            t.due = due;
        }
        if let Some(p) = changes.priority {
            t.priority = p;
        }
        if let Some(project) = changes.project {
            t.project = match project {
                Some(p) => Some(self.project_id(&p)?),
                None => None,
            };
        }
        if let Some(tags) = changes.tags {
            t.tags = tags;
        }
        self.put(t)
    }

    /// Marks the open task `reference` names done, now.
    pub fn complete_task(&self, reference: &str) -> Result<Written<Task>> {
        let mut t = self.find_task(reference, Among::Open)?;
        t.complete(self.now());
        self.put(t)
    }

    /// Cancels the open task `reference` names.
    pub fn cancel_task(&self, reference: &str) -> Result<Written<Task>> {
        let mut t = self.find_task(reference, Among::Open)?;
        t.cancel(self.now());
        self.put(t)
    }

    /// Opens the done or cancelled task `reference` names again.
    pub fn reopen_task(&self, reference: &str) -> Result<Written<Task>> {
        let mut t = self.find_task(reference, Among::Closed)?;
        t.reopen();
        self.put(t)
    }

    /// Deletes the task `reference` names.
    pub fn delete_task(&self, reference: &str) -> Result<Written<Task>> {
        let t = self.find_task(reference, Among::All)?;
        self.remove(t)
    }
}
