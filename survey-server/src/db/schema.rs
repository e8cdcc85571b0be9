//! The tables, as diesel sees them; written by hand to match both `migrations/` folders.

diesel::table! {
    instance_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    questionnaire_versions (id) {
        id -> Integer,
        questionnaire_id -> Text,
        version -> Text,
        content_hash -> Text,
        source -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    units (id) {
        id -> Integer,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        kind -> Text,
    }
}

diesel::table! {
    campaigns (id) {
        id -> Integer,
        slug -> Text,
        label_zh -> Text,
        label_en -> Text,
        wave -> Text,
        questionnaire_version_id -> Integer,
        starts_on -> Text,
        ends_on -> Text,
        status -> Text,
        created_at -> BigInt,
        device_policy -> Text,
    }
}

diesel::table! {
    campaign_units (campaign_id, unit_id) {
        campaign_id -> Integer,
        unit_id -> Integer,
    }
}

diesel::table! {
    sites (id) {
        id -> Integer,
        campaign_id -> Integer,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    responses (id) {
        id -> Integer,
        campaign_id -> Integer,
        unit_id -> Integer,
        site_id -> Nullable<Integer>,
        questionnaire_version_id -> Integer,
        idempotency_key -> Text,
        respondent_type -> Nullable<Text>,
        lang -> Text,
        form_issued_at -> BigInt,
        submitted_at -> BigInt,
        duration_ms -> BigInt,
        link_check -> Text,
        over_quota -> Bool,
        /// The canonical encoding of the answers (`minyi_integrity::leaf::encode_answers`).
        answers -> Binary,
        /// `web`, `sms`, `phone` or `face`.
        mode -> Text,
        /// The stratum of a sampled case, empty for a self-selected response.
        stratum -> Text,
        /// The interviewer who keyed it (phone, face), else empty.
        interviewer -> Text,
    }
}

diesel::table! {
    response_counts (campaign_id, unit_id, respondent_type, day, link_check, over_quota) {
        campaign_id -> Integer,
        unit_id -> Integer,
        respondent_type -> Text,
        day -> BigInt,
        link_check -> Text,
        over_quota -> Bool,
        n -> BigInt,
    }
}

diesel::joinable!(campaigns -> questionnaire_versions (questionnaire_version_id));
diesel::joinable!(campaign_units -> campaigns (campaign_id));
diesel::joinable!(campaign_units -> units (unit_id));
diesel::joinable!(sites -> campaigns (campaign_id));
diesel::joinable!(responses -> campaigns (campaign_id));
diesel::table! {
    flag_counts (campaign_id, unit_id, day, flag) {
        campaign_id -> Integer,
        unit_id -> Integer,
        day -> BigInt,
        flag -> Text,
        n -> BigInt,
    }
}

diesel::joinable!(response_counts -> campaigns (campaign_id));
diesel::joinable!(response_flags -> responses (response_id));

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> Integer,
        csrf_token -> Text,
        created_at -> BigInt,
        last_seen_at -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> BigInt,
        username -> Text,
        action -> Text,
        detail -> Text,
    }
}

diesel::joinable!(sessions -> users (user_id));

diesel::table! {
    case_codes (id) {
        id -> Integer,
        campaign_id -> Integer,
        unit_id -> Integer,
        code_hash -> Text,
        created_at -> BigInt,
        redeemed_at -> Nullable<BigInt>,
        stratum -> Text,
    }
}

diesel::table! {
    sampling_plans (campaign_id) {
        campaign_id -> Integer,
        confidence -> Double,
        margin -> Double,
        allocation -> Text,
        min_per_unit -> Integer,
        quota_policy -> Text,
        by_respondent_type -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    strata (campaign_id, unit_id, respondent_type) {
        campaign_id -> Integer,
        unit_id -> Integer,
        respondent_type -> Text,
        population -> BigInt,
        sd -> Nullable<Double>,
        target -> Integer,
        quota -> Integer,
    }
}

diesel::table! {
    log_state (campaign_id) {
        campaign_id -> Integer,
        frontier -> Binary,
    }
}

diesel::table! {
    log_leaves (campaign_id, leaf_index) {
        campaign_id -> Integer,
        leaf_index -> BigInt,
        response_id -> Integer,
        salt -> Binary,
        leaf_hash -> Binary,
        kind -> Text,
        event -> Text,
    }
}

diesel::table! {
    tree_heads (campaign_id, tree_size) {
        campaign_id -> Integer,
        tree_size -> BigInt,
        timestamp_ms -> BigInt,
        root -> Binary,
        public_key -> Text,
        signature -> Text,
    }
}

diesel::table! {
    response_flags (response_id, flag) {
        response_id -> Integer,
        flag -> Text,
        detail -> Text,
        flagged_at -> BigInt,
    }
}

diesel::table! {
    device_seen (campaign_id, unit_id, device_tag) {
        campaign_id -> Integer,
        unit_id -> Integer,
        device_tag -> Text,
    }
}

diesel::table! {
    contacts (id) {
        id -> Binary,
        campaign_id -> Integer,
        unit_id -> Integer,
        sealed -> Binary,
    }
}

diesel::table! {
    contacts_unsealed (campaign_id, unit_id, contact) {
        campaign_id -> Integer,
        unit_id -> Integer,
        contact -> Text,
    }
}

diesel::table! {
    case_code_uses (campaign_id, nullifier) {
        campaign_id -> Integer,
        nullifier -> Text,
        unit_id -> Integer,
    }
}

diesel::table! {
    reports (id) {
        id -> Integer,
        campaign_id -> Integer,
        published_at -> BigInt,
        published_by -> Text,
        verdict -> Text,
        sentence_zh -> Text,
        sentence_en -> Text,
        generated_at -> BigInt,
        html -> Binary,
        html_sha256 -> Text,
        pdf -> Nullable<Binary>,
        pdf_sha256 -> Nullable<Text>,
    }
}

diesel::joinable!(reports -> campaigns (campaign_id));

diesel::table! {
    frames (id) {
        id -> Integer,
        campaign_id -> Integer,
        file_name -> Text,
        file_sha256 -> Text,
        variables -> Text,
        n_rows -> Integer,
        imported_at -> BigInt,
        imported_by -> Text,
    }
}

diesel::table! {
    frame_rows (frame_id, row_key) {
        frame_id -> Integer,
        row_key -> Binary,
        sealed -> Binary,
    }
}

diesel::table! {
    draws (id) {
        id -> Integer,
        campaign_id -> Integer,
        frame_id -> Integer,
        method -> Text,
        strata_by -> Text,
        expected_rate -> Double,
        reserve -> Double,
        seed_sealed -> Binary,
        drawn_at -> BigInt,
        drawn_by -> Text,
    }
}

diesel::table! {
    draw_strata (draw_id, stratum) {
        draw_id -> Integer,
        stratum -> Text,
        unit_id -> Integer,
        n_frame -> Integer,
        target -> Integer,
        n_selected -> Integer,
    }
}

diesel::table! {
    releases (draw_id, stratum, replicate) {
        draw_id -> Integer,
        stratum -> Text,
        replicate -> Integer,
        released_to -> Integer,
        released_at -> BigInt,
        released_by -> Text,
    }
}

diesel::table! {
    sample_cases (id) {
        id -> Integer,
        draw_id -> Integer,
        case_ref -> Text,
        stratum -> Text,
        unit_id -> Integer,
        seq -> Integer,
        sealed -> Binary,
    }
}

diesel::table! {
    case_contacts (case_id) {
        case_id -> Integer,
        sealed -> Binary,
    }
}

diesel::table! {
    case_attempts (id) {
        id -> Integer,
        case_id -> Integer,
        attempted_at -> BigInt,
        mode -> Text,
        interviewer -> Text,
        code -> Text,
        appointment_at -> Nullable<BigInt>,
        note_sealed -> Nullable<Binary>,
    }
}

diesel::table! {
    case_holds (case_id) {
        case_id -> Integer,
        interviewer -> Text,
        until_ms -> BigInt,
    }
}

diesel::table! {
    fieldwork_settings (campaign_id) {
        campaign_id -> Integer,
        call_windows -> Text,
        max_attempts -> Integer,
        min_gap_minutes -> Integer,
        responsive -> Bool,
        sms_text -> Text,
        reminder_after_days -> Integer,
        max_reminders -> Integer,
        verify_share -> Double,
        verify_min -> Integer,
    }
}

diesel::table! {
    sms_sends (case_id, number) {
        case_id -> Integer,
        number -> Integer,
        channel -> Text,
        sent_at -> BigInt,
        status -> Text,
    }
}

diesel::table! {
    verifications (case_id) {
        case_id -> Integer,
        interviewer -> Text,
        picked_at -> BigInt,
        checked_by -> Nullable<Text>,
        checked_at -> Nullable<BigInt>,
        items -> Nullable<Integer>,
        mismatches -> Nullable<Integer>,
        reached -> Nullable<Bool>,
    }
}

diesel::table! {
    verification_answers (case_id) {
        case_id -> Integer,
        sealed -> Binary,
    }
}

diesel::table! {
    quarantines (campaign_id, interviewer) {
        campaign_id -> Integer,
        interviewer -> Text,
        reason -> Text,
        at -> BigInt,
        by_user -> Text,
    }
}

diesel::joinable!(sample_cases -> draws (draw_id));
diesel::joinable!(case_attempts -> sample_cases (case_id));
diesel::joinable!(case_contacts -> sample_cases (case_id));
diesel::joinable!(case_holds -> sample_cases (case_id));
diesel::joinable!(sms_sends -> sample_cases (case_id));
diesel::joinable!(verifications -> sample_cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    frames,
    frame_rows,
    draws,
    draw_strata,
    releases,
    sample_cases,
    case_contacts,
    case_attempts,
    case_holds,
    fieldwork_settings,
    sms_sends,
    verifications,
    verification_answers,
    quarantines,
    instance_secrets,
    questionnaire_versions,
    units,
    campaigns,
    campaign_units,
    sites,
    responses,
    response_counts,
    flag_counts,
    users,
    sessions,
    audit_log,
    case_codes,
    sampling_plans,
    strata,
    log_state,
    log_leaves,
    tree_heads,
    response_flags,
    device_seen,
    contacts,
    contacts_unsealed,
    case_code_uses,
    reports,
);
