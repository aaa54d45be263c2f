#![cfg(not(target_arch = "wasm32"))]
//! Sessions and annotations: round trips through the session file and through W3C Web
//! Annotations, version handling, malformed and foreign input.

use scalp_compare::annotation::{
    from_w3c, from_w3c_text, parse_list, to_w3c, Annotation, Kind, Photo, PhotoSources,
};
use scalp_compare::geometry::Model;
use scalp_compare::session::{Alignment, Import, PhotoMeta, Photos, Session, SessionError, View};
use serde_json::json;

fn sources() -> PhotoSources {
    PhotoSources::new("a.jpg", "b.jpg")
}

fn ann(id: &str, kind: Kind, photo: Photo, points: &[[f64; 2]]) -> Annotation {
    Annotation {
        id: id.into(),
        kind,
        photo,
        points: points.to_vec(),
        note: String::new(),
        color: None,
        created: None,
        modified: None,
    }
}

/// One of every kind, with decimals, negative and large coordinates, colours, times and
/// notes that look like markup.
fn every_kind() -> Vec<Annotation> {
    let mut list = vec![
        ann("pin-1", Kind::Pin, Photo::Before, &[[12.34, 56.78]]),
        ann(
            "arrow.2",
            Kind::Arrow,
            Photo::After,
            &[[0.01, 0.0], [999999.99, 3.5]],
        ),
        ann(
            "e:3",
            Kind::Ellipse,
            Photo::Before,
            &[[10.01, 20.0], [20.04, 31.07]],
        ),
        ann(
            "rect_4",
            Kind::Rect,
            Photo::After,
            &[[10.0, 20.5], [40.0, 60.5]],
        ),
        ann(
            "rect_5",
            Kind::Rect,
            Photo::Before,
            &[[-5.55, -0.01], [0.05, 7.0]],
        ),
        ann(
            "poly-6",
            Kind::Polygon,
            Photo::Before,
            &[[1.1, 2.2], [30.0, 2.2], [30.0, 40.33], [1.1, 1.1]],
        ),
        ann(
            "free-7",
            Kind::Freehand,
            Photo::After,
            &[[5.0, 5.0], [5.5, 6.25], [7.75, 8.0]],
        ),
        ann("text-8", Kind::Text, Photo::After, &[[100.0, 200.0]]),
        ann(
            "ruler-9",
            Kind::Ruler,
            Photo::Before,
            &[[0.0, 0.0], [-100.5, 0.0]],
        ),
    ];
    list[0].note = "<img src=x onerror=alert(1)>".into();
    list[1].color = Some("#ff0000".into());
    list[1].note = "look \"here\" & </script><script>alert('x')</script>".into();
    list[2].color = Some("#00a0ff".into());
    list[3].note = "crown".into();
    list[4].color = Some("#123456".into());
    list[5].created = Some("2026-11-27T06:00:00.000Z".into());
    list[5].modified = Some("2026-11-28T07:30:00.000Z".into());
    list[6].note = " \n".into();
    list[7].note = "Grade 3 — ça va? 💇".into();
    list[8].color = Some("#abcdef".into());
    list
}

#[test]
fn every_kind_round_trips_through_w3c_exactly() {
    let list = every_kind();
    // Already normal: reading it as the product's own list changes nothing.
    let own = serde_json::to_string(&list).unwrap();
    assert_eq!(parse_list(&own).unwrap(), list);

    let w3c = to_w3c(&list, &sources());
    assert_eq!(w3c.as_array().unwrap().len(), list.len());
    assert_eq!(from_w3c(&w3c, &sources()).unwrap(), list);
    // And through text, as a file would carry it.
    let text = serde_json::to_string_pretty(&w3c).unwrap();
    assert_eq!(from_w3c_text(&text, &sources()).unwrap(), list);
    // The markup stays literal text in the body.
    assert_eq!(w3c[0]["body"]["value"], "<img src=x onerror=alert(1)>");
    assert_eq!(w3c[0]["body"]["format"], "text/plain");
    assert_eq!(w3c[0]["target"]["source"], "a.jpg");
    assert_eq!(w3c[1]["target"]["source"], "b.jpg");
}

#[test]
fn w3c_export_is_the_documented_shape() {
    let list = every_kind();
    let w = to_w3c(&list, &sources());
    let svg = |i: usize| {
        w[i]["target"]["selector"]["value"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let wrap = |e: &str| format!("<svg xmlns=\"http://www.w3.org/2000/svg\">{e}</svg>");
    assert_eq!(w[0]["@context"], "http://www.w3.org/ns/anno.jsonld");
    assert_eq!(w[0]["type"], "Annotation");
    assert_eq!(w[0]["id"], "urn:scalp-compare:annotation:pin-1");
    assert_eq!(w[0]["motivation"], "commenting");
    assert_eq!(
        svg(0),
        wrap("<circle class=\"pin\" cx=\"12.34\" cy=\"56.78\" r=\"0\"/>")
    );
    assert_eq!(
        svg(1),
        wrap("<line class=\"arrow\" x1=\"0.01\" y1=\"0\" x2=\"999999.99\" y2=\"3.5\" stroke=\"#ff0000\"/>")
    );
    assert_eq!(
        svg(2),
        wrap("<ellipse cx=\"15.025\" cy=\"25.535\" rx=\"5.015\" ry=\"5.535\" stroke=\"#00a0ff\"/>")
    );
    assert_eq!(
        w[3]["target"]["selector"],
        json!({"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/",
               "value": "xywh=pixel:10,20.5,30,40"})
    );
    // A coloured rect: the fragment, then the same rect in SVG carrying the colour.
    let alternatives = w[4]["target"]["selector"].as_array().unwrap();
    assert_eq!(alternatives[0]["value"], "xywh=pixel:-5.55,-0.01,5.6,7.01");
    assert_eq!(
        alternatives[1]["value"],
        wrap("<rect x=\"-5.55\" y=\"-0.01\" width=\"5.6\" height=\"7.01\" stroke=\"#123456\"/>")
    );
    assert_eq!(
        svg(5),
        wrap("<polygon points=\"1.1,2.2 30,2.2 30,40.33 1.1,1.1\"/>")
    );
    assert_eq!(w[5]["created"], "2026-11-27T06:00:00.000Z");
    assert_eq!(w[5]["motivation"], "highlighting");
    assert!(w[5].get("body").is_none());
    assert_eq!(svg(6), wrap("<polyline points=\"5,5 5.5,6.25 7.75,8\"/>"));
    assert_eq!(
        svg(7),
        wrap("<circle class=\"text\" cx=\"100\" cy=\"200\" r=\"0\"/>")
    );
    assert_eq!(
        svg(8),
        wrap("<line class=\"ruler\" x1=\"0\" y1=\"0\" x2=\"-100.5\" y2=\"0\" stroke=\"#abcdef\"/>")
    );
}

#[test]
fn internal_coordinates_are_normalised_on_ingest() {
    let list = parse_list(
        r##"[{"id": "r", "kind": "rect", "photo": "before", "points": [[40.004, 30.126], [10, 10]],
             "color": "#ABCDEF"}]"##,
    )
    .unwrap();
    assert_eq!(list[0].points, vec![[10.0, 10.0], [40.0, 30.13]]);
    assert_eq!(list[0].color.as_deref(), Some("#abcdef"));
    assert_eq!(
        from_w3c(&to_w3c(&list, &sources()), &sources()).unwrap(),
        list
    );
}

fn session() -> Session {
    Session {
        saved_at: Some("2026-11-27T06:00:00.000Z".into()),
        photos: Photos {
            before: Some(PhotoMeta {
                name: "before.jpg".into(),
                width: 4000,
                height: 3000,
                bytes: Some(3_141_592),
                checksum: Some("deadbeef".into()),
                date: Some("2025-05-01T09:30:00".into()),
                calibration: None,
            }),
            after: Some(PhotoMeta {
                name: "after.jpg".into(),
                width: 3000,
                height: 4000,
                bytes: None,
                checksum: None,
                date: Some("2026-11-01".into()),
                calibration: None,
            }),
        },
        alignment: Some(Alignment {
            matrix: [[0.98, -0.17, 120.25], [0.17, 0.98, -40.5], [1e-6, 0.0, 1.0]],
            model: Model::Homography,
            confidence: None,
            source: "landmarks".into(),
            locked: false,
        }),
        region: Some(vec![[100.0, 100.0], [900.5, 100.0], [500.0, 800.25]]),
        annotations: every_kind(),
        analysis: json!({"before": {"coverage": 0.41}, "change_pp": -3.2})
            .as_object()
            .cloned(),
        view: Some(View { value: 50.0 }),
    }
}

#[test]
fn a_session_round_trips() {
    let s = session();
    s.validate().unwrap();
    let text = s.to_json();
    assert_eq!(Session::from_json(&text).unwrap(), s);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "scalp-compare-session");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["alignment"]["confidence"], serde_json::Value::Null);
    assert_eq!(
        doc["annotations"][0]["note"],
        "<img src=x onerror=alert(1)>"
    );
}

#[test]
fn a_newer_version_is_refused_with_a_message_to_update() {
    let text = session()
        .to_json()
        .replace("\"version\": 1", "\"version\": 2");
    let e = Session::from_json(&text).unwrap_err();
    assert_eq!(e, SessionError::Newer { version: 2 });
    assert_eq!(
        e.to_string(),
        "This session was saved by a newer version of scalp-compare (format version 2); \
         this version reads version 1. Update scalp-compare to open it."
    );
    let missing = Session::from_json(r#"{"format": "scalp-compare-session"}"#).unwrap_err();
    assert!(missing.to_string().contains("format version"), "{missing}");
}

#[test]
fn other_files_are_not_sessions() {
    for text in [
        r#"{"format": "something-else", "version": 1}"#,
        r#"{"version": 1}"#,
        "[]",
        "42",
        r#"{"type": "AnnotationPage", "items": []}"#,
    ] {
        assert_eq!(
            Session::from_json(text).unwrap_err().to_string(),
            "This is not a scalp-compare session file.",
            "{text}"
        );
    }
}

#[test]
fn malformed_json_names_line_and_column() {
    let text = "{\n  \"format\": \"scalp-compare-session\",\n  \"version\": 1,,\n}";
    assert_eq!(
        Session::from_json(text).unwrap_err().to_string(),
        "This file is not valid JSON (line 3, column 16)."
    );
    assert_eq!(
        from_w3c_text("[\n{\"type\": Annotation}]", &sources())
            .unwrap_err()
            .to_string(),
        "This file is not valid JSON (line 2, column 10)."
    );
    assert!(Import::read("not json", &sources())
        .unwrap_err()
        .to_string()
        .starts_with("This file is not valid JSON (line 1, column"));
}

#[test]
fn one_bad_annotation_refuses_the_whole_import() {
    let mut w3c = to_w3c(&every_kind(), &sources());
    w3c[4]["target"]["selector"][0]["value"] = json!("xywh=pixel:1,2,0,5");
    w3c[4]["target"]["selector"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    assert_eq!(
        from_w3c(&w3c, &sources()).unwrap_err().to_string(),
        "annotation 5 (\"rect_5\", rect) has zero width or height"
    );

    let mut w3c = to_w3c(&every_kind(), &sources());
    w3c[2]["target"]["source"] = json!("x.jpg");
    assert_eq!(
        from_w3c(&w3c, &sources()).unwrap_err().to_string(),
        "annotation 3 is on “x.jpg”, which is neither of the loaded photos (a.jpg, b.jpg)"
    );

    let mut own = serde_json::to_value(every_kind()).unwrap();
    own[7]["note"] = json!("");
    let e = Import::read(&own.to_string(), &sources()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "annotation 8 (\"text-8\", text) is a text label with no text"
    );
}

#[test]
fn foreign_w3c_annotations_import() {
    // As Annotorious writes them: a page, bodies as arrays with tags, '#uuid' ids.
    let page = json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationPage",
        "items": [
            {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
             "id": "#a88b22d0-6106-4872-9435-c78b5e89fede",
             "body": [{"type": "TextualBody", "value": "thin", "purpose": "tagging"},
                      {"type": "TextualBody", "value": "<p>See here</p>", "purpose": "commenting"}],
             "target": {"source": "a.jpg",
                        "selector": {"type": "FragmentSelector",
                                     "conformsTo": "http://www.w3.org/TR/media-frags/",
                                     "value": "xywh=pixel:10.5,20,30,40"}}},
            {"type": "Annotation", "id": "#a88b22d0-6106-4872-9435-c78b5e89fede",
             "body": [],
             "target": {"source": "b.jpg",
                        "selector": {"type": "SvgSelector",
                                     "value": "<svg><polygon points='10,10 20,10 20,20' stroke='#0F0'></polygon></svg>"}}},
            {"type": "Annotation", "id": "https://example.org/annotations/77",
             "bodyValue": "a path",
             "target": [{"source": "after",
                         "selector": [{"type": "FragmentSelector", "value": "xywh=0,0,1,1"},
                                      {"type": "SvgSelector",
                                       "value": "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\">\n  <path d=\"M10 10 L 20 10 L 20 20 Z\" fill=\"none\" />\n</svg>"}]}]},
            {"type": "Annotation",
             "target": {"source": "before",
                        "selector": {"type": "SvgSelector",
                                     "value": "<svg><path d='m0,0 l5,5 5,-5'/></svg>"}}},
            {"type": "Annotation", "id": "urn:x:!!!",
             "target": {"source": "a.jpg",
                        "selector": {"type": "SvgSelector",
                                     "value": "<svg><circle cx='5' cy='6' r='2'/></svg>"}}}
        ]
    });
    let list = from_w3c(&page, &sources()).unwrap();
    assert_eq!(list.len(), 5);

    assert_eq!(list[0].id, "a88b22d0-6106-4872-9435-c78b5e89fede");
    assert_eq!(list[0].kind, Kind::Rect);
    assert_eq!(list[0].photo, Photo::Before);
    assert_eq!(list[0].points, vec![[10.5, 20.0], [40.5, 60.0]]);
    assert_eq!(list[0].note, "<p>See here</p>");

    assert_eq!(list[1].id, "a88b22d0-6106-4872-9435-c78b5e89fede-2");
    assert_eq!(list[1].kind, Kind::Polygon);
    assert_eq!(list[1].photo, Photo::After);
    assert_eq!(
        list[1].points,
        vec![[10.0, 10.0], [20.0, 10.0], [20.0, 20.0]]
    );
    assert_eq!(list[1].color.as_deref(), Some("#00ff00"));
    assert_eq!(list[1].note, "");

    assert_eq!(list[2].id, "77");
    assert_eq!(list[2].kind, Kind::Polygon, "a closed path is a polygon");
    assert_eq!(list[2].photo, Photo::After);
    assert_eq!(
        list[2].points,
        vec![[10.0, 10.0], [20.0, 10.0], [20.0, 20.0]]
    );
    assert_eq!(list[2].note, "a path");

    assert_eq!(list[3].id, "w3c-4");
    assert_eq!(list[3].kind, Kind::Freehand, "an open path is freehand");
    assert_eq!(list[3].points, vec![[0.0, 0.0], [5.0, 5.0], [10.0, 0.0]]);

    assert_eq!(list[4].id, "urn:x:");
    assert_eq!(list[4].kind, Kind::Ellipse);
    assert_eq!(list[4].points, vec![[3.0, 4.0], [7.0, 8.0]]);

    // A single annotation and a collection with its first page embedded read too.
    let one = page["items"][0].clone();
    assert_eq!(from_w3c(&one, &sources()).unwrap(), list[..1].to_vec());
    let collection = json!({"type": "AnnotationCollection",
                            "first": {"type": "AnnotationPage", "items": page["items"]}});
    assert_eq!(from_w3c(&collection, &sources()).unwrap(), list);
    assert!(matches!(
        Import::read(&collection.to_string(), &sources()),
        Ok(Import::Annotations(l)) if l == list
    ));
}

#[test]
fn foreign_w3c_refusals_name_the_item() {
    let item = |target: serde_json::Value| json!([{"type": "Annotation", "target": target}]);
    let err = |v: serde_json::Value| from_w3c(&v, &sources()).unwrap_err().to_string();
    assert!(err(item(json!("a.jpg"))).starts_with("annotation 1 covers a whole photo"));
    assert!(err(item(json!({"source": "a.jpg"}))).starts_with("annotation 1 covers a whole photo"));
    assert!(err(item(json!({"source": "a.jpg",
        "selector": {"type": "FragmentSelector", "value": "xywh=percent:1,2,3,4"}})))
    .contains("percent"));
    assert!(err(item(json!({"source": "a.jpg",
        "selector": {"type": "TextQuoteSelector", "exact": "x"}})))
    .contains("TextQuoteSelector"));
    assert!(err(item(json!({"source": "a.jpg",
        "selector": {"type": "SvgSelector", "value": "<svg><path d='M0 0 Q 1 1 2 2'/></svg>"}})))
    .contains("Q command"));
    assert!(err(item(json!({"source": "a.jpg",
        "selector": {"type": "SvgSelector", "value": "<svg><image href='x.png'/></svg>"}})))
    .contains("<image>"));
    assert_eq!(
        err(json!({"type": "AnnotationCollection", "first": "https://x.org/page1"})),
        "This annotation collection keeps its annotations elsewhere, where they cannot be fetched from here."
    );
    assert_eq!(
        err(json!({"hello": 1})),
        "This file is not W3C Web Annotations."
    );
}

#[test]
fn equal_photo_names_get_distinct_targets() {
    let same = PhotoSources::new("scalp.jpg", "scalp.jpg");
    let list = every_kind();
    let w = to_w3c(&list, &same);
    assert_eq!(w[0]["target"]["source"], "scalp.jpg#before");
    assert_eq!(w[1]["target"]["source"], "scalp.jpg#after");
    assert_eq!(from_w3c(&w, &same).unwrap(), list);
}

#[test]
fn check_photos_says_which_photo_differs() {
    let s = session();
    assert!(s
        .check_photos(Some((4000, 3000)), Some((3000, 4000)))
        .is_ok());
    assert!(s.check_photos(None, Some((3000, 4000))).is_ok());
    assert_eq!(
        s.check_photos(Some((3000, 2000)), None)
            .unwrap_err()
            .to_string(),
        "This session is for other photos: BEFORE was before.jpg (4000×3000), the loaded BEFORE is 3000×2000."
    );
    assert_eq!(
        s.check_photos(Some((4000, 3000)), Some((4000, 3000)))
            .unwrap_err()
            .to_string(),
        "This session is for other photos: AFTER was after.jpg (3000×4000), the loaded AFTER is 4000×3000."
    );
}

#[test]
fn import_tells_sessions_from_annotations() {
    let s = session();
    match Import::read(&s.to_json(), &sources()).unwrap() {
        Import::Session(read) => assert_eq!(*read, s),
        other => panic!("read as {other:?}"),
    }
    let w3c = to_w3c(&every_kind(), &sources()).to_string();
    match Import::read(&w3c, &sources()).unwrap() {
        Import::Annotations(list) => assert_eq!(list, every_kind()),
        other => panic!("read as {other:?}"),
    }
    let newer = s.to_json().replace("\"version\": 1", "\"version\": 7");
    assert!(Import::read(&newer, &sources())
        .unwrap_err()
        .to_string()
        .contains("format version 7"));
    assert_eq!(
        Import::read(r#"{"name": "x"}"#, &sources())
            .unwrap_err()
            .to_string(),
        "This file is neither a scalp-compare session nor W3C Web Annotations."
    );
}
