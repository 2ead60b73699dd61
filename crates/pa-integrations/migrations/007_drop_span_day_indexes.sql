-- Kinds whose records span days are read by their day_end index (records.rs's range query names
-- it): their day index only cost a B-tree insert per write (8 % of a calendar import in
-- SQLite). Point kinds keep theirs: it answers their range reads.
DROP INDEX IF EXISTS training_plans_day;
DROP INDEX IF EXISTS habits_day;
DROP INDEX IF EXISTS projects_day;
DROP INDEX IF EXISTS tasks_day;
DROP INDEX IF EXISTS events_day;
DROP INDEX IF EXISTS budgets_day;
DROP INDEX IF EXISTS securities_day;
DROP INDEX IF EXISTS expense_categories_day;
DROP INDEX IF EXISTS recipes_day;
