//! Which mails and forwardings an event causes, as jobs for the outbox. Pure: the
//! caller passes what it read (the report before and after, the subscription, the
//! people involved) and stores the jobs in the same write as the event.
//!
//! Whether a citizen mail may go out is decided at delivery ([`augenmerk_domain::mail::decide`]),
//! so the jobs are queued whatever the subscription's state, and the case's mail log
//! shows a suppressed mail with its reason.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use augenmerk_domain::mail::MailKind;
use augenmerk_domain::report::Report;
use augenmerk_domain::staff::{Department, ExternalAuthority, StaffUser};
use augenmerk_domain::{CategoryTree, I18nText, Language, ReportId, Status};
use augenmerk_store::{JobKind, NewJob, NewSubscription, SubscriptionRecord};

use super::compose::{Content, OutgoingMail, Sender};
use super::templates::{self, Forwarding, ReportFacts};
use crate::state::Tenant;

/// What mails need from the municipality and the server.
#[derive(Debug, Clone)]
pub struct MailContext {
    /// Sender, reply-to, colour, public URL.
    pub sender: Sender,
    /// The host part of Message-IDs.
    pub id_domain: String,
}

impl MailContext {
    /// The context of a municipality.
    pub fn new(tenant: &Tenant, public_url: &str, from: &str) -> Self {
        let settings = &tenant.record.settings;
        Self {
            sender: Sender {
                municipality: tenant.record.name.clone(),
                from_name: settings
                    .mail_sender_name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| tenant.record.name.clone()),
                reply_to: settings.mail_reply_to.clone().filter(|r| !r.trim().is_empty()),
                accent: settings.accent_color.clone().unwrap_or_else(|| "#00577a".into()),
                public_url: public_url.trim_end_matches('/').to_owned(),
            },
            id_domain: from.rsplit('@').next().unwrap_or("augenmerk.invalid").to_owned(),
        }
    }

    /// The status page of a citizen's report.
    pub fn status_url(&self, token: &str) -> String {
        format!("{}/#/status/{token}", self.sender.public_url)
    }

    /// RFC 8058 one-click unsubscribe.
    pub fn unsubscribe_url(&self, token: &str) -> String {
        format!("{}/api/v1/status/{token}/unsubscribe", self.sender.public_url)
    }

    /// A case in the console.
    pub fn console_url(&self, id: &ReportId) -> String {
        format!("{}/console/#/console/cases/{id}", self.sender.public_url)
    }

    /// The console's inbox.
    pub fn inbox_url(&self) -> String {
        format!("{}/console/#/console", self.sender.public_url)
    }

    fn job(&self, report: &Report, key: String, content: Content, kind: MailKind, to: &str) -> NewJob {
        let message_id = format!("{}@{}", Uuid::new_v4(), self.id_domain);
        let mut mail = content.into_mail(kind, to, &self.sender, message_id);
        mail.report = Some(report.id);
        mail_job(report, key, mail)
    }
}

/// A mail as an outbox job.
pub fn mail_job(report: &Report, dedupe_key: String, mail: OutgoingMail) -> NewJob {
    NewJob {
        kind: JobKind::Mail,
        municipality: report.municipality.clone(),
        report: Some(report.id),
        dedupe_key,
        tag: Some(mail.kind.as_str().to_owned()),
        recipient: Some(mail.to.to_lowercase()),
        payload: serde_json::to_value(&mail).unwrap_or_default(),
        run_at: Utc::now(),
    }
}

/// The facts every mail repeats.
pub fn facts(tree: &CategoryTree, report: &Report) -> ReportFacts {
    let category = tree
        .find(&report.category)
        .map(|c| c.name())
        .unwrap_or_else(|| I18nText::new(report.category.as_str(), report.category.as_str()));
    ReportFacts {
        number: report.id.number(),
        category,
        location: report.location,
        address_hint: report.address_hint.clone(),
        received_at: report.received_at,
    }
}

/// A new report: the citizen's subscription and receipt (with an address), and the
/// department's and the assignee's notification.
pub fn on_accepted(
    ctx: &MailContext,
    tenant: &Tenant,
    report: &Report,
    language: Language,
    assignee: Option<&StaffUser>,
) -> (Option<NewSubscription>, Vec<NewJob>) {
    let facts = facts(&tenant.record.categories, report);
    let mut jobs = staff_jobs(ctx, tenant, None, report, assignee, &facts);
    let subscription = report.contact_email.as_ref().map(|email| {
        let token = super::new_token();
        let content = templates::receipt(language, &ctx.sender, &facts, &ctx.status_url(&token));
        let mut job = ctx.job(
            report,
            format!("receipt:{}", report.id),
            content,
            MailKind::Receipt,
            email.as_str(),
        );
        set_unsubscribe(&mut job, ctx.unsubscribe_url(&token));
        jobs.push(job);
        NewSubscription {
            email: email.as_str().to_owned(),
            language,
            token,
        }
    });
    (subscription, jobs)
}

fn set_unsubscribe(job: &mut NewJob, url: String) {
    if let Some(obj) = job.payload.as_object_mut() {
        obj.insert("unsubscribe_url".into(), serde_json::Value::String(url));
    }
}

/// Mails to the department (when the case reaches it) and to the person it is assigned to.
fn staff_jobs(
    ctx: &MailContext,
    tenant: &Tenant,
    before: Option<&Report>,
    after: &Report,
    assignee: Option<&StaffUser>,
    facts: &ReportFacts,
) -> Vec<NewJob> {
    let mut jobs = Vec::new();
    let event = Uuid::new_v4();
    if let Some(dept) = after
        .department
        .as_ref()
        .filter(|d| before.is_none_or(|b| b.department.as_ref() != Some(*d)))
        && let Some(Department {
            name,
            email: Some(email),
            ..
        }) = tenant.departments.iter().find(|x| &x.id == dept)
    {
        let content = templates::routed(&ctx.sender, facts, name, &ctx.console_url(&after.id));
        jobs.push(ctx.job(
            after,
            format!("routed:{}:{event}", after.id),
            content,
            MailKind::Routed,
            email,
        ));
    }
    if let Some(person) = assignee.filter(|p| p.active && p.mail.assigned)
        && before.is_none_or(|b| b.assignee != Some(person.id))
        && let Some(email) = person.email.as_deref()
    {
        let content = templates::assigned(&ctx.sender, facts, &person.display_name, &ctx.console_url(&after.id));
        jobs.push(ctx.job(
            after,
            format!("assigned:{}:{event}", after.id),
            content,
            MailKind::Assigned,
            email,
        ));
    }
    jobs
}

/// What a staff change causes: the citizen's status mail (a public comment, or closing),
/// the department's and assignee's notifications, and the forwarding to an authority.
#[allow(clippy::too_many_arguments)] // the facts of one change; a struct would only rename them
pub fn on_changed(
    ctx: &MailContext,
    tenant: &Tenant,
    before: &Report,
    after: &Report,
    comment: Option<&str>,
    subscription: Option<&SubscriptionRecord>,
    assignee: Option<&StaffUser>,
    at: DateTime<Utc>,
) -> Vec<NewJob> {
    let facts = facts(&tenant.record.categories, after);
    let mut jobs = staff_jobs(ctx, tenant, Some(before), after, assignee, &facts);
    let status_changed = before.status != after.status;
    if let Some(sub) = subscription
        && status_changed
    {
        jobs.extend(status_mail(ctx, &facts, after, comment, sub, at));
    }
    if status_changed
        && after.status == Status::Forwarded
        && let Some(authority) = after
            .forwarded_to
            .as_ref()
            .and_then(|id| tenant.record.settings.authorities.iter().find(|a| &a.id == id))
    {
        jobs.extend(forwarding_jobs(ctx, tenant, after, authority, comment, &facts));
    }
    jobs
}

/// The citizen's mail on a status change: with a public comment, or on closing.
fn status_mail(
    ctx: &MailContext,
    facts: &ReportFacts,
    after: &Report,
    comment: Option<&str>,
    sub: &SubscriptionRecord,
    at: DateTime<Utc>,
) -> Option<NewJob> {
    if comment.is_none() && after.status != Status::Closed {
        return None;
    }
    let kind = if after.status == Status::Closed {
        MailKind::Closed
    } else {
        MailKind::StatusChanged
    };
    let content = templates::status_changed(
        sub.language,
        &ctx.sender,
        facts,
        after.status,
        comment,
        &ctx.status_url(&sub.token),
    );
    // The subscription's report in the key: the reporters of merged duplicates get one each.
    let key = format!(
        "status:{}:{}:{}",
        sub.report,
        after.status,
        at.timestamp_nanos_opt().unwrap_or_default()
    );
    let mut job = ctx.job(after, key, content, kind, &sub.email);
    set_unsubscribe(&mut job, ctx.unsubscribe_url(&sub.token));
    Some(job)
}

/// A status change of an original: the reporters of the duplicates merged into it hear of
/// it as its own reporter does. Each mail belongs to the reporter's report (its mail log,
/// its subscription's state decides at delivery), with the link to their status page.
pub fn on_original_changed(
    ctx: &MailContext,
    tenant: &Tenant,
    before: &Report,
    after: &Report,
    comment: Option<&str>,
    merged: &[SubscriptionRecord],
    at: DateTime<Utc>,
) -> Vec<NewJob> {
    if before.status == after.status {
        return Vec::new();
    }
    let facts = facts(&tenant.record.categories, after);
    merged
        .iter()
        .filter_map(|sub| {
            let mut job = status_mail(ctx, &facts, after, comment, sub, at)?;
            job.report = Some(sub.report);
            if let Some(obj) = job.payload.as_object_mut() {
                obj.insert("report".into(), serde_json::json!(sub.report));
            }
            Some(job)
        })
        .collect()
}

/// The forwarding of a report to an authority: a mail with the photos and/or an Open311 request.
fn forwarding_jobs(
    ctx: &MailContext,
    tenant: &Tenant,
    report: &Report,
    authority: &ExternalAuthority,
    comment: Option<&str>,
    facts: &ReportFacts,
) -> Vec<NewJob> {
    let mut jobs = Vec::new();
    let event = Uuid::new_v4();
    if let Some(email) = authority.email.as_deref().filter(|e| !e.trim().is_empty()) {
        let forwarding = Forwarding {
            authority: authority.name.clone(),
            answers: answer_lines(&tenant.record.categories, report),
            description: report.description.clone(),
            photo_count: report.photos.len(),
            comment: comment.map(str::to_owned),
        };
        let content = templates::forwarded(&ctx.sender, facts, &forwarding);
        let mut job = ctx.job(
            report,
            format!("forward-mail:{}:{event}", report.id),
            content,
            MailKind::Forwarded,
            email,
        );
        if let Some(obj) = job.payload.as_object_mut() {
            obj.insert(
                "attachments".into(),
                serde_json::to_value(&report.photos).unwrap_or_default(),
            );
        }
        jobs.push(job);
    }
    if let Some(endpoint) = &authority.open311 {
        jobs.push(NewJob {
            kind: JobKind::Open311Forward,
            municipality: report.municipality.clone(),
            report: Some(report.id),
            dedupe_key: format!("forward-open311:{}:{event}", report.id),
            tag: None,
            recipient: Some(endpoint.base_url.clone()),
            payload: serde_json::json!({ "authority": authority.id, "comment": comment }),
            run_at: Utc::now(),
        });
    }
    jobs
}

/// The report's answers as the authority reads them: question label and answer text.
pub fn answer_lines(tree: &CategoryTree, report: &Report) -> Vec<(String, String)> {
    let questions = tree.effective_questions(&report.category).unwrap_or_default();
    report
        .answers
        .iter()
        .map(|(id, answer)| {
            let question = questions.iter().find(|q| &q.id == id);
            let label = question.map(|q| q.de.clone()).unwrap_or_else(|| id.as_str().to_owned());
            let value = serde_json::to_value(answer).unwrap_or_default();
            let text = augenmerk_domain::category::answer_text(question.map(|q| &q.kind), &value, Language::De);
            (label, text)
        })
        .collect()
}

/// A message from staff to the citizen.
pub fn on_staff_message(
    ctx: &MailContext,
    tenant: &Tenant,
    report: &Report,
    message_id: &augenmerk_domain::MessageId,
    body: &str,
    subscription: Option<&SubscriptionRecord>,
) -> Vec<NewJob> {
    let Some(sub) = subscription else {
        return Vec::new();
    };
    let facts = facts(&tenant.record.categories, report);
    let content = templates::staff_message(sub.language, &ctx.sender, &facts, body, &ctx.status_url(&sub.token));
    let mut job = ctx.job(
        report,
        format!("message:{message_id}"),
        content,
        MailKind::StaffMessage,
        &sub.email,
    );
    set_unsubscribe(&mut job, ctx.unsubscribe_url(&sub.token));
    vec![job]
}

/// A message from the citizen: the assignee hears of it if they want to.
pub fn on_citizen_message(
    ctx: &MailContext,
    tenant: &Tenant,
    report: &Report,
    message_id: &augenmerk_domain::MessageId,
    body: &str,
    assignee: Option<&StaffUser>,
) -> Vec<NewJob> {
    let Some(person) = assignee.filter(|p| p.active && p.mail.citizen_reply) else {
        return Vec::new();
    };
    let Some(email) = person.email.as_deref() else {
        return Vec::new();
    };
    let facts = facts(&tenant.record.categories, report);
    let content = templates::citizen_reply(&ctx.sender, &facts, body, &ctx.console_url(&report.id));
    vec![ctx.job(
        report,
        format!("reply:{message_id}"),
        content,
        MailKind::CitizenReply,
        email,
    )]
}

/// A new status link for a subscription.
pub fn new_link(ctx: &MailContext, tenant: &Tenant, report: &Report, sub: &SubscriptionRecord, token: &str) -> NewJob {
    let facts = facts(&tenant.record.categories, report);
    let content = templates::new_link(sub.language, &ctx.sender, &facts, &ctx.status_url(token));
    let mut job = ctx.job(
        report,
        format!("new-link:{}:{}", report.id, Uuid::new_v4()),
        content,
        MailKind::NewLink,
        &sub.email,
    );
    set_unsubscribe(&mut job, ctx.unsubscribe_url(token));
    job
}

#[cfg(test)]
mod tests {
    use augenmerk_domain::report::{Channel, Email};
    use augenmerk_domain::staff::Open311Endpoint;
    use augenmerk_domain::{Ags, AuthorityId, BlobHash, CategoryId, DepartmentId, GeoPoint, Priority};
    use augenmerk_store::MunicipalityRecord;

    use super::*;

    fn tenant() -> Tenant {
        let mut settings = crate::demo::default_settings();
        for a in &mut settings.authorities {
            a.email = Some(format!("{}@amt.example", a.id));
            a.open311 = (a.id.as_str() == "kreis").then(|| Open311Endpoint {
                base_url: "https://kreis.example/open311/v2".into(),
                api_key: "k".into(),
                jurisdiction_id: None,
                service_codes: Default::default(),
            });
        }
        Tenant {
            record: MunicipalityRecord {
                ags: Ags::parse("01001000").expect("ags"),
                name: "Flensburg".into(),
                categories: crate::demo::default_categories().expect("tree"),
                settings,
                config_version: 1,
            },
            rules: Vec::new(),
            departments: vec![Department {
                id: DepartmentId::parse("tiefbau").expect("id"),
                name: "Tiefbau".into(),
                email: Some("tiefbau@flensburg.example".into()),
            }],
            areas: augenmerk_geo::Areas::new(),
            area_definitions: Vec::new(),
            gemeinden: Vec::new(),
            checked_at: std::sync::Mutex::new(std::time::Instant::now()),
        }
    }

    fn report() -> Report {
        let now = Utc::now();
        Report {
            id: ReportId::new_random(),
            municipality: Ags::parse("01001000").expect("ags"),
            gemeinde: Ags::parse("01001000").expect("ags"),
            device_id: None,
            category: CategoryId::parse("schlagloch").expect("id"),
            answers: Default::default(),
            description: "Tiefes Loch".into(),
            location: GeoPoint { lat: 54.78, lon: 9.43 },
            address_hint: Some("vor Nr. 12".into()),
            photos: vec![BlobHash::parse(&"a".repeat(64)).expect("hash")],
            contact_email: Some(Email::parse("buerger@example.org").expect("email")),
            consent: true,
            consent_version: None,
            status: Status::Received,
            priority: Priority::Normal,
            due_at: None,
            department: None,
            assignee: None,
            forwarded_to: None,
            duplicate_of: None,
            routed_by: None,
            channel: Channel::App,
            created_at: now,
            received_at: now,
            updated_at: now,
        }
    }

    fn subscription(r: &Report) -> SubscriptionRecord {
        SubscriptionRecord {
            report: r.id,
            municipality: r.municipality.clone(),
            email: "buerger@example.org".into(),
            language: Language::En,
            token: "t".repeat(43),
            confirmed_at: None,
            unsubscribed_at: None,
        }
    }

    fn tags(jobs: &[NewJob]) -> Vec<String> {
        jobs.iter()
            .map(|j| j.tag.clone().unwrap_or_else(|| j.kind.as_str().to_owned()))
            .collect()
    }

    fn ctx(t: &Tenant) -> MailContext {
        MailContext::new(t, "https://maengel.example", "augenmerk@maengel.example")
    }

    #[test]
    fn a_new_report_gets_a_receipt_with_its_link_and_the_department_a_notification() {
        let t = tenant();
        let mut r = report();
        r.department = Some(DepartmentId::parse("tiefbau").expect("id"));
        let (sub, jobs) = on_accepted(&ctx(&t), &t, &r, Language::En, None);
        let sub = sub.expect("a subscription for the address");
        assert_eq!(tags(&jobs), ["routed", "receipt"]);
        let receipt: OutgoingMail = serde_json::from_value(jobs[1].payload.clone()).expect("mail");
        assert!(
            receipt
                .text
                .contains(&format!("https://maengel.example/#/status/{}", sub.token))
        );
        assert!(receipt.subject.starts_with("Your report"), "{}", receipt.subject);
        assert_eq!(
            receipt.unsubscribe_url.as_deref(),
            Some(format!("https://maengel.example/api/v1/status/{}/unsubscribe", sub.token).as_str())
        );
        assert_eq!(jobs[0].recipient.as_deref(), Some("tiefbau@flensburg.example"));
        // Without an address: no receipt, no subscription.
        r.contact_email = None;
        let (sub, jobs) = on_accepted(&ctx(&t), &t, &r, Language::De, None);
        assert!(sub.is_none());
        assert_eq!(tags(&jobs), ["routed"]);
    }

    #[test]
    fn the_citizen_hears_of_status_changes_with_a_comment_and_of_closing() {
        let t = tenant();
        let before = report();
        let sub = subscription(&before);
        let mut after = before.clone();
        after.status = Status::InProgress;
        let now = Utc::now();
        assert!(on_changed(&ctx(&t), &t, &before, &after, None, Some(&sub), None, now).is_empty());
        let jobs = on_changed(&ctx(&t), &t, &before, &after, Some("Wir kommen"), Some(&sub), None, now);
        assert_eq!(tags(&jobs), ["status_changed"]);
        let mut closed = after.clone();
        closed.status = Status::Closed;
        let jobs = on_changed(&ctx(&t), &t, &after, &closed, None, Some(&sub), None, now);
        assert_eq!(tags(&jobs), ["closed"]);
        // No subscription (no address): nothing for the citizen.
        assert!(on_changed(&ctx(&t), &t, &after, &closed, None, None, None, now).is_empty());
    }

    #[test]
    fn forwarding_mails_the_authority_with_the_photos_and_posts_to_its_open311_endpoint() {
        let t = tenant();
        let before = report();
        let mut after = before.clone();
        after.status = Status::Forwarded;
        after.forwarded_to = Some(AuthorityId::parse("kreis").expect("id"));
        let jobs = on_changed(
            &ctx(&t),
            &t,
            &before,
            &after,
            Some("Kreisstraße"),
            None,
            None,
            Utc::now(),
        );
        assert_eq!(tags(&jobs), ["forwarded", "open311_forward"]);
        let mail: OutgoingMail = serde_json::from_value(jobs[0].payload.clone()).expect("mail");
        assert_eq!(mail.to, "kreis@amt.example");
        assert_eq!(mail.attachments, before.photos);
        assert!(mail.text.contains("Tiefes Loch") && mail.text.contains("Kreisstraße"));
        assert!(
            !mail.text.contains("buerger@example.org"),
            "never the citizen's address"
        );
        assert_eq!(jobs[1].recipient.as_deref(), Some("https://kreis.example/open311/v2"));
    }
}
