//! Delegation rules: data that routes a report to a department, a person or an
//! external authority, and sets its priority and due date.
//!
//! Rules are ordered; the first enabled rule whose conditions all hold decides. A rule
//! without conditions is a default that catches the rest. Evaluation is pure and
//! records why each rule before the decisive one did not match, which is what the
//! dry run shows.

use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::category::CategoryTree;
use crate::error::FieldError;
use crate::geo::GeoPoint;
use crate::i18n::I18nText;
use crate::ids::{AreaId, AuthorityId, CategoryId, DepartmentId, QuestionId, RuleId, UserId};
use crate::report::{Answer, Answers, Priority};

/// A delegation rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    /// Slug, unique within the municipality.
    pub id: RuleId,
    /// Name shown in the editor and the dry run.
    pub name: String,
    /// Disabled rules are skipped.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// All must hold (none: the rule always matches).
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// What happens when it matches.
    pub action: RuleAction,
}

fn yes() -> bool {
    true
}

/// A condition of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Condition {
    /// The report's category is one of these or lies in one's subtree.
    Category {
        /// Categories (subtrees included).
        categories: Vec<CategoryId>,
    },
    /// The report's location lies in one of these named areas.
    Area {
        /// Areas of the municipality.
        areas: Vec<AreaId>,
    },
    /// The report lies in one of these Gemeinden (of an Amt).
    Gemeinde {
        /// Gemeinden by AGS.
        gemeinden: Vec<crate::ids::Ags>,
    },
    /// An answer satisfies a test.
    Answer {
        /// The question.
        question: QuestionId,
        /// The test.
        #[serde(flatten)]
        test: AnswerTest,
    },
    /// The report arrives within a time window (municipality's local time).
    Time {
        /// The window.
        window: TimeWindow,
    },
}

/// A test on an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum AnswerTest {
    /// The answer is one of the values (for multiselect: any chosen value is).
    OneOf {
        /// Accepted values (strings, numbers, booleans: what the question's answers are).
        values: Vec<serde_json::Value>,
    },
    /// A yes/no question was answered yes.
    IsTrue,
    /// The question was answered at all.
    Answered,
    /// A number is at least this.
    AtLeast {
        /// Threshold.
        value: f64,
    },
}

/// A time window for a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimeWindow {
    /// Within the municipality's working hours.
    WorkingHours,
    /// Outside working hours (evenings, nights, weekends).
    OutsideWorkingHours,
    /// Saturday or Sunday.
    Weekend,
}

/// What a matching rule does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleAction {
    /// Assign to this department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<DepartmentId>,
    /// Assign to this person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<UserId>,
    /// Forward to this external authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_to: Option<AuthorityId>,
    /// Set this priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Due this many hours after arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_hours: Option<u32>,
}

/// A municipality's working hours, for time conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingHours {
    /// IANA time zone.
    pub timezone: String,
    /// Working days, 1 = Monday … 7 = Sunday.
    pub days: Vec<u8>,
    /// Start, `HH:MM`.
    pub start: String,
    /// End, `HH:MM` (exclusive).
    pub end: String,
}

impl Default for WorkingHours {
    fn default() -> Self {
        Self {
            timezone: "Europe/Berlin".into(),
            days: vec![1, 2, 3, 4, 5],
            start: "07:00".into(),
            end: "16:00".into(),
        }
    }
}

impl WorkingHours {
    /// Checks time zone and times.
    pub fn check(&self) -> Result<(), FieldError> {
        self.timezone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| FieldError::new("working_hours.timezone", "unknown_timezone"))?;
        let start = parse_hhmm(&self.start).ok_or_else(|| FieldError::new("working_hours.start", "invalid_time"))?;
        let end = parse_hhmm(&self.end).ok_or_else(|| FieldError::new("working_hours.end", "invalid_time"))?;
        if start >= end || self.days.iter().any(|d| !(1..=7).contains(d)) {
            return Err(FieldError::new("working_hours", "invalid"));
        }
        Ok(())
    }

    /// Whether `at` lies within working hours (invalid settings count as never).
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        let (Ok(tz), Some(start), Some(end)) = (
            self.timezone.parse::<chrono_tz::Tz>(),
            parse_hhmm(&self.start),
            parse_hhmm(&self.end),
        ) else {
            return false;
        };
        let local = at.with_timezone(&tz);
        let day = local.weekday().number_from_monday() as u8;
        let time = NaiveTime::from_hms_opt(local.hour(), local.minute(), 0).unwrap_or(NaiveTime::MIN);
        self.days.contains(&day) && time >= start && time < end
    }

    fn is_weekend(&self, at: DateTime<Utc>) -> bool {
        let tz = self
            .timezone
            .parse::<chrono_tz::Tz>()
            .unwrap_or(chrono_tz::Europe::Berlin);
        matches!(at.with_timezone(&tz).weekday(), Weekday::Sat | Weekday::Sun)
    }
}

fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

/// Answers whether a point lies in a named area; the server backs it with a spatial index.
pub trait AreaLookup {
    /// Whether `point` lies in the area (unknown areas contain nothing).
    fn contains(&self, area: &AreaId, point: GeoPoint) -> bool;
}

/// No areas at all (for municipalities without any).
pub struct NoAreas;

impl AreaLookup for NoAreas {
    fn contains(&self, _: &AreaId, _: GeoPoint) -> bool {
        false
    }
}

/// The facts about a report that rules look at.
pub struct RuleInput<'a> {
    /// Category.
    pub category: &'a CategoryId,
    /// Answers.
    pub answers: &'a Answers,
    /// Location.
    pub location: GeoPoint,
    /// The Gemeinde it lies in.
    pub gemeinde: &'a crate::ids::Ags,
    /// Arrival time.
    pub at: DateTime<Utc>,
}

/// The municipality's settings rules are evaluated against.
pub struct RuleEnv<'a> {
    /// Category tree (for subtree conditions).
    pub tree: &'a CategoryTree,
    /// Named areas.
    pub areas: &'a dyn AreaLookup,
    /// Working hours.
    pub working_hours: &'a WorkingHours,
}

/// How one condition fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConditionTrace {
    /// The condition.
    pub condition: Condition,
    /// Whether it held.
    pub holds: bool,
    /// Why, in words.
    pub explanation: I18nText,
}

/// How one rule fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleTrace {
    /// Rule id.
    pub rule: RuleId,
    /// Rule name.
    pub name: String,
    /// Disabled rules are listed but not evaluated.
    pub enabled: bool,
    /// Whether all conditions held.
    pub matched: bool,
    /// Each condition (evaluated in order; all are shown even after one fails).
    pub conditions: Vec<ConditionTrace>,
}

/// The result of evaluating the rules against a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleEvaluation {
    /// The decisive rule, if any matched.
    pub matched: Option<RuleId>,
    /// Its action (empty when none matched).
    pub action: RuleAction,
    /// Every rule up to and including the decisive one.
    pub trace: Vec<RuleTrace>,
}

/// Evaluates ordered rules; the first enabled rule whose conditions all hold decides.
pub fn evaluate(rules: &[Rule], input: &RuleInput<'_>, env: &RuleEnv<'_>) -> RuleEvaluation {
    let mut trace = Vec::new();
    for rule in rules {
        if !rule.enabled {
            trace.push(RuleTrace {
                rule: rule.id.clone(),
                name: rule.name.clone(),
                enabled: false,
                matched: false,
                conditions: Vec::new(),
            });
            continue;
        }
        let conditions: Vec<ConditionTrace> = rule.conditions.iter().map(|c| check(c, input, env)).collect();
        let matched = conditions.iter().all(|c| c.holds);
        trace.push(RuleTrace {
            rule: rule.id.clone(),
            name: rule.name.clone(),
            enabled: true,
            matched,
            conditions,
        });
        if matched {
            return RuleEvaluation {
                matched: Some(rule.id.clone()),
                action: rule.action.clone(),
                trace,
            };
        }
    }
    RuleEvaluation {
        matched: None,
        action: RuleAction::default(),
        trace,
    }
}

fn check(condition: &Condition, input: &RuleInput<'_>, env: &RuleEnv<'_>) -> ConditionTrace {
    let (holds, explanation) = match condition {
        Condition::Category { categories } => {
            let hit = categories.iter().find(|c| env.tree.is_within(input.category, c));
            let list = join(categories.iter().map(|c| c.as_str()));
            match hit {
                Some(c) => (
                    true,
                    I18nText::new(
                        format!("Kategorie „{}“ liegt in „{c}“.", input.category),
                        format!("Category '{}' lies within '{c}'.", input.category),
                    ),
                ),
                None => (
                    false,
                    I18nText::new(
                        format!("Kategorie „{}“ liegt in keiner von: {list}.", input.category),
                        format!("Category '{}' lies in none of: {list}.", input.category),
                    ),
                ),
            }
        }
        Condition::Area { areas } => {
            let hit = areas.iter().find(|a| env.areas.contains(a, input.location));
            let list = join(areas.iter().map(|a| a.as_str()));
            match hit {
                Some(a) => (
                    true,
                    I18nText::new(
                        format!("Ort liegt im Gebiet „{a}“."),
                        format!("Location lies in area '{a}'."),
                    ),
                ),
                None => (
                    false,
                    I18nText::new(
                        format!("Ort liegt in keinem der Gebiete: {list}."),
                        format!("Location lies in none of the areas: {list}."),
                    ),
                ),
            }
        }
        Condition::Gemeinde { gemeinden } => {
            let holds = gemeinden.contains(input.gemeinde);
            let list = join(gemeinden.iter().map(|g| g.as_str()));
            let g = input.gemeinde;
            (
                holds,
                if holds {
                    I18nText::new(
                        format!("Ort liegt in der Gemeinde {g}."),
                        format!("Location lies in Gemeinde {g}."),
                    )
                } else {
                    I18nText::new(
                        format!("Gemeinde {g} ist keine von: {list}."),
                        format!("Gemeinde {g} is none of: {list}."),
                    )
                },
            )
        }
        Condition::Answer { question, test } => {
            let answer = input.answers.get(question);
            let holds = answer.is_some_and(|a| answer_passes(a, test));
            let given = answer.map(answer_text).unwrap_or_else(|| "—".into());
            let wanted = test_text(test);
            (
                holds,
                if holds {
                    I18nText::new(
                        format!("Antwort „{question}“ = {given} erfüllt {wanted}."),
                        format!("Answer '{question}' = {given} satisfies {wanted}."),
                    )
                } else {
                    I18nText::new(
                        format!("Antwort „{question}“ = {given} erfüllt nicht {wanted}."),
                        format!("Answer '{question}' = {given} does not satisfy {wanted}."),
                    )
                },
            )
        }
        Condition::Time { window } => {
            let wh = env.working_hours;
            let (holds, de, en) = match window {
                TimeWindow::WorkingHours => (
                    wh.contains(input.at),
                    "innerhalb der Dienstzeit",
                    "within working hours",
                ),
                TimeWindow::OutsideWorkingHours => (
                    !wh.contains(input.at),
                    "außerhalb der Dienstzeit",
                    "outside working hours",
                ),
                TimeWindow::Weekend => (wh.is_weekend(input.at), "am Wochenende", "at the weekend"),
            };
            let at = input.at.format("%Y-%m-%d %H:%M UTC");
            (
                holds,
                if holds {
                    I18nText::new(format!("Eingang {at} liegt {de}."), format!("Arrival {at} is {en}."))
                } else {
                    I18nText::new(
                        format!("Eingang {at} liegt nicht {de}."),
                        format!("Arrival {at} is not {en}."),
                    )
                },
            )
        }
    };
    ConditionTrace {
        condition: condition.clone(),
        holds,
        explanation,
    }
}

fn answer_passes(answer: &Answer, test: &AnswerTest) -> bool {
    match (test, answer) {
        (AnswerTest::Answered, _) => true,
        (AnswerTest::IsTrue, Answer::Bool(b)) => *b,
        (AnswerTest::IsTrue, _) => false,
        (AnswerTest::AtLeast { value }, Answer::Number(x)) => x >= value,
        (AnswerTest::AtLeast { value }, Answer::Integer(x)) => (*x as f64) >= *value,
        (AnswerTest::AtLeast { .. }, _) => false,
        (AnswerTest::OneOf { values }, Answer::Choices(chosen)) => {
            chosen.iter().any(|c| values.iter().any(|v| v.as_str() == Some(c)))
        }
        (AnswerTest::OneOf { values }, other) => {
            let json = serde_json::to_value(other).unwrap_or(serde_json::Value::Null);
            values.iter().any(|v| v == &json)
        }
    }
}

fn answer_text(answer: &Answer) -> String {
    serde_json::to_string(answer).unwrap_or_default()
}

fn test_text(test: &AnswerTest) -> String {
    match test {
        AnswerTest::OneOf { values } => format!("∈ {}", serde_json::Value::Array(values.clone())),
        AnswerTest::IsTrue => "= true".into(),
        AnswerTest::Answered => "answered".into(),
        AnswerTest::AtLeast { value } => format!("≥ {value}"),
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// What a rule set refers to, for checking it against a municipality's configuration.
pub struct RuleRefs<'a> {
    /// Category tree.
    pub tree: &'a CategoryTree,
    /// Known departments.
    pub departments: &'a [DepartmentId],
    /// Known staff accounts.
    pub users: &'a [UserId],
    /// Known areas.
    pub areas: &'a [AreaId],
    /// The tenant's Gemeinden.
    pub gemeinden: &'a [crate::ids::Ags],
    /// Known external authorities.
    pub authorities: &'a [AuthorityId],
}

/// Checks a rule set: unique ids, references that exist, a default rule at the end, no
/// rule hidden behind a default. Returns every problem (an empty list is a clean set).
pub fn check_rules(rules: &[Rule], refs: &RuleRefs<'_>) -> Vec<FieldError> {
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut default_at: Option<usize> = None;
    for (i, rule) in rules.iter().enumerate() {
        let field = |s: &str| format!("rules.{}{s}", rule.id);
        if !seen.insert(&rule.id) {
            problems.push(FieldError::new(field(""), "duplicate_id"));
        }
        if let Some(d) = default_at
            && rule.enabled
        {
            problems.push(FieldError::new(
                field(""),
                format!("unreachable_after_default:{}", rules[d].id),
            ));
        }
        for c in &rule.conditions {
            match c {
                Condition::Category { categories } => {
                    for cat in categories {
                        if refs.tree.find(cat).is_none() {
                            problems.push(FieldError::new(field(".conditions"), format!("unknown_category:{cat}")));
                        }
                    }
                }
                Condition::Area { areas } => {
                    for a in areas {
                        if !refs.areas.contains(a) {
                            problems.push(FieldError::new(field(".conditions"), format!("unknown_area:{a}")));
                        }
                    }
                }
                Condition::Gemeinde { gemeinden } => {
                    for g in gemeinden {
                        if !refs.gemeinden.contains(g) {
                            problems.push(FieldError::new(field(".conditions"), format!("unknown_gemeinde:{g}")));
                        }
                    }
                }
                Condition::Answer { question, .. } => {
                    let known = refs
                        .tree
                        .iter()
                        .any(|cat| cat.questions.iter().any(|q| &q.id == question));
                    if !known {
                        problems.push(FieldError::new(
                            field(".conditions"),
                            format!("unknown_question:{question}"),
                        ));
                    }
                }
                Condition::Time { .. } => {}
            }
        }
        let a = &rule.action;
        if let Some(d) = &a.department
            && !refs.departments.contains(d)
        {
            problems.push(FieldError::new(field(".action"), format!("unknown_department:{d}")));
        }
        if let Some(u) = &a.assignee
            && !refs.users.contains(u)
        {
            problems.push(FieldError::new(field(".action"), format!("unknown_user:{u}")));
        }
        if let Some(x) = &a.forward_to
            && !refs.authorities.contains(x)
        {
            problems.push(FieldError::new(field(".action"), format!("unknown_authority:{x}")));
        }
        if rule.enabled && rule.conditions.is_empty() && default_at.is_none() {
            default_at = Some(i);
        }
    }
    if default_at.is_none() {
        problems.push(FieldError::new("rules", "no_default_rule"));
    }
    problems
}

#[cfg(test)]
mod tests;
