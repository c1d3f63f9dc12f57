//! AUTHENTICATE through the engine: the built-in mechanisms, SASL-IR,
//! interactive exchanges, cancellation, and secrets kept out of `Debug`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use super::{run_all_chunkings, Harness};
use crate::ext::sasl::{Login, OAuthBearer, Plain, XOAuth2};
use crate::request::Output;
use crate::types::StateName;
use crate::types::{Capability, Command, ResponseCode};
use crate::{CommandError, Event, UsageError};

fn b64(data: &[u8]) -> String {
    B64.encode(data)
}

/// The authentication succeeded (after the engine re-read the capabilities
/// if the OK did not carry them).
fn authenticated(h: &mut Harness, tag: &crate::types::Tag) {
    h.pump();
    let sent = String::from_utf8_lossy(&h.sent).into_owned();
    if let Some(line) = sent.lines().find(|l| l.ends_with(" CAPABILITY")) {
        h.not_completed(tag);
        let own = line.split(' ').next().unwrap_or_default().to_owned();
        h.sent.clear();
        h.server(format!("* CAPABILITY IMAP4rev1\r\n{own} OK\r\n").as_bytes());
    }
    let c = h.completed(tag).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(matches!(c.output, Output::Authenticated(_)));
    assert_eq!(h.client.state(), StateName::Authenticated);
}

#[test]
fn plain_with_sasl_ir_is_one_round_trip() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=PLAIN SASL-IR");
        let t = h.try_enqueue(crate::request::authenticate(Plain::new("tim", "tanstaaftanstaaf"))).unwrap();
        h.expect_client(format!("{t} AUTHENTICATE PLAIN {}\r\n", b64(b"\0tim\0tanstaaftanstaaf")).as_bytes());
        h.server(format!("{t} OK [CAPABILITY IMAP4rev1 IDLE] Success\r\n").as_bytes());
        authenticated(h, &t);
        assert!(h.client.capabilities().has(&Capability::Idle));
    });
}

#[test]
fn plain_without_sasl_ir_waits_for_the_empty_challenge() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=PLAIN");
        let p = Plain::new("tim", "tanstaaftanstaaf").with_authzid("admin");
        let t = h.try_enqueue(crate::request::authenticate(p)).unwrap();
        h.expect_client(format!("{t} AUTHENTICATE PLAIN\r\n").as_bytes());
        h.server(b"+ \r\n");
        h.expect_client(format!("{}\r\n", b64(b"admin\0tim\0tanstaaftanstaaf")).as_bytes());
        h.server(format!("{t} OK done\r\n").as_bytes());
        // No CAPABILITY code: the engine asks before the login is ready.
        h.pump();
        assert_eq!(h.sent, b"A2 CAPABILITY\r\n");
        authenticated(h, &t);
    });
}

#[test]
fn login_mechanism_answers_two_challenges() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=LOGIN SASL-IR");
        let t = h.try_enqueue(crate::request::authenticate(Login::new("tim", "secret"))).unwrap();
        h.expect_client(format!("{t} AUTHENTICATE LOGIN\r\n").as_bytes());
        h.server(b"+ VXNlcm5hbWU6\r\n");
        h.expect_client(b"dGlt\r\n");
        h.server(b"+ UGFzc3dvcmQ6\r\n");
        h.expect_client(format!("{}\r\n", b64(b"secret")).as_bytes());
        h.server(format!("{t} OK [CAPABILITY IMAP4rev1] ok\r\n").as_bytes());
        authenticated(h, &t);
    });
}

#[cfg(feature = "cram-md5")]
#[test]
fn cram_md5_rfc2195_exchange() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=CRAM-MD5");
        let t = h
            .enqueue(crate::request::authenticate(crate::ext::sasl::CramMd5::new("tim", "tanstaaftanstaaf")));
        // RFC 2195 section 2, the example.
        h.expect_client(format!("{t} AUTHENTICATE CRAM-MD5\r\n").as_bytes());
        h.server(b"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
        h.expect_client(b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
        h.server(format!("{t} OK CRAM authentication successful\r\n").as_bytes());
        authenticated(h, &t);
    });
}

#[test]
fn xoauth2_with_the_error_challenge() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=XOAUTH2 SASL-IR");
        let t = h
            .try_enqueue(crate::request::authenticate(XOAuth2::new("someuser@example.com", "ya29.token")))
            .unwrap();
        let ir = b64(b"user=someuser@example.com\x01auth=Bearer ya29.token\x01\x01");
        h.expect_client(format!("{t} AUTHENTICATE XOAUTH2 {ir}\r\n").as_bytes());
        // Google's error: a JSON challenge, answered with an empty line, then NO.
        let err = b64(br#"{"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"}"#);
        h.server(format!("+ {err}\r\n").as_bytes());
        h.expect_client(b"\r\n");
        h.server(format!("{t} NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n").as_bytes());
        match h.failed(&t) {
            CommandError::No { code: Some(ResponseCode::AuthenticationFailed), .. } => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(h.client.state(), StateName::NotAuthenticated);
        // Without SASL-IR the token answers the first empty challenge.
        let mut h2 = Harness::new(h.chunking());
        h2.greet("IMAP4rev1 AUTH=XOAUTH2");
        let t = h2
            .try_enqueue(crate::request::authenticate(XOAuth2::new("someuser@example.com", "ya29.token")))
            .unwrap();
        h2.expect_client(format!("{t} AUTHENTICATE XOAUTH2\r\n").as_bytes());
        h2.server(b"+ \r\n");
        h2.expect_client(format!("{ir}\r\n").as_bytes());
        h2.server(format!("{t} OK [CAPABILITY IMAP4rev1] ok\r\n").as_bytes());
        authenticated(&mut h2, &t);
    });
}

#[test]
fn oauthbearer_success_and_error() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=OAUTHBEARER SASL-IR");
        let mech = OAuthBearer::new(
            "user@example.com",
            "server.example.com",
            143,
            "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
        );
        let t = h.try_enqueue(crate::request::authenticate(mech)).unwrap();
        let ir = b64(
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
        );
        h.expect_client(format!("{t} AUTHENTICATE OAUTHBEARER {ir}\r\n").as_bytes());
        // RFC 7628 3.2.3: an error challenge is answered with ^A.
        h.server(format!("+ {}\r\n", b64(br#"{"status":"invalid_token"}"#)).as_bytes());
        h.expect_client(b"AQ==\r\n");
        h.server(format!("{t} NO SASL authentication failed\r\n").as_bytes());
        assert!(matches!(h.failed(&t), CommandError::No { .. }));
        let mech = OAuthBearer::new("user@example.com", "server.example.com", 143, "good");
        let t = h.try_enqueue(crate::request::authenticate(mech)).unwrap();
        h.sent.clear();
        h.server(format!("{t} OK [CAPABILITY IMAP4rev1] Success\r\n").as_bytes());
        authenticated(h, &t);
    });
}

#[cfg(feature = "scram")]
mod scram {
    use super::*;
    use crate::ext::sasl::{Scram, ScramHash};

    struct Vector {
        hash: ScramHash,
        name: &'static str,
        nonce: &'static str,
        server_first: &'static str,
        client_final: &'static str,
        server_final: &'static str,
    }

    /// RFC 5802 section 5 and RFC 7677 section 3.
    const VECTORS: [Vector; 2] = [
        Vector {
            hash: ScramHash::Sha1,
            name: "SCRAM-SHA-1",
            nonce: "fyko+d2lbbFgONRv9qkxdawL",
            server_first: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            client_final: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            server_final: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
        },
        Vector {
            hash: ScramHash::Sha256,
            name: "SCRAM-SHA-256",
            nonce: "rOprNGfwEbeRWgbNEkqO",
            server_first: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            client_final: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            server_final: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
        },
    ];

    /// Runs the exchange up to the server-final message.
    fn start(h: &mut Harness, v: &Vector, sasl_ir: bool) -> crate::types::Tag {
        h.greet(&format!("IMAP4rev1 AUTH={}{}", v.name, if sasl_ir { " SASL-IR" } else { "" }));
        let t = h
            .try_enqueue(crate::request::authenticate(Scram::new(v.hash, "user", "pencil", v.nonce)))
            .unwrap();
        let first = b64(format!("n,,n=user,r={}", v.nonce).as_bytes());
        if sasl_ir {
            h.expect_client(format!("{t} AUTHENTICATE {} {first}\r\n", v.name).as_bytes());
        } else {
            h.expect_client(format!("{t} AUTHENTICATE {}\r\n", v.name).as_bytes());
            h.server(b"+ \r\n");
            h.expect_client(format!("{first}\r\n").as_bytes());
        }
        h.server(format!("+ {}\r\n", b64(v.server_first.as_bytes())).as_bytes());
        h.expect_client(format!("{}\r\n", b64(v.client_final.as_bytes())).as_bytes());
        t
    }

    #[test]
    fn scram_rfc_vectors_through_the_engine() {
        for v in &VECTORS {
            for sasl_ir in [true, false] {
                run_all_chunkings(|h| {
                    let t = start(h, v, sasl_ir);
                    h.server(format!("+ {}\r\n", b64(v.server_final.as_bytes())).as_bytes());
                    h.expect_client(b"\r\n");
                    h.server(format!("{t} OK [CAPABILITY IMAP4rev1] Success\r\n").as_bytes());
                    authenticated(h, &t);
                });
            }
        }
    }

    #[test]
    fn a_forged_server_signature_is_refused() {
        for v in &VECTORS {
            run_all_chunkings(|h| {
                let t = start(h, v, true);
                h.server(format!("+ {}\r\n", b64(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).as_bytes());
                // The client cancels; the server may answer BAD or even OK.
                h.expect_client(b"*\r\n");
                h.server(format!("{t} BAD exchange cancelled\r\n").as_bytes());
                match h.failed(&t) {
                    CommandError::Sasl(reason) => {
                        assert!(
                            matches!(reason, crate::ext::sasl::SaslError::BadServerSignature { .. }),
                            "{reason}"
                        )
                    }
                    other => panic!("{other:?}"),
                }
                assert_eq!(h.client.state(), StateName::NotAuthenticated);
            });
            run_all_chunkings(|h| {
                let t = start(h, v, true);
                h.server(format!("+ {}\r\n", b64(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).as_bytes());
                h.expect_client(b"*\r\n");
                h.server(format!("{t} OK whatever you say\r\n").as_bytes());
                assert!(matches!(h.failed(&t), CommandError::Sasl(_)));
                assert_eq!(h.client.state(), StateName::NotAuthenticated);
            });
            // A server that says OK without ever proving itself.
            run_all_chunkings(|h| {
                let t = start(h, v, false);
                h.server(format!("{t} OK [CAPABILITY IMAP4rev1] trust me\r\n").as_bytes());
                assert!(matches!(h.failed(&t), CommandError::Sasl(_)));
                assert_eq!(h.client.state(), StateName::NotAuthenticated);
            });
        }
    }
}

#[test]
fn interactive_sasl_through_events() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=X-CUSTOM");
        assert!(matches!(h.client.sasl_respond(Some(b"early")), Err(UsageError::NotApplicable(_))));
        let t = h.try_enqueue_interactive("X-CUSTOM", None).unwrap();
        h.expect_client(format!("{t} AUTHENTICATE X-CUSTOM\r\n").as_bytes());
        h.server(format!("+ {}\r\n", b64(b"first challenge")).as_bytes());
        match h.take_events().as_slice() {
            [Event::SaslChallenge { id, data }] => {
                assert_eq!(*id, h.id(&t));
                assert_eq!(&data[..], b"first challenge");
            }
            other => panic!("{other:?}"),
        }
        // The engine waits for the application without timing out.
        h.advance(std::time::Duration::from_secs(600));
        assert!(h.take_events().is_empty());
        h.client.sasl_respond(Some(b"first answer")).unwrap();
        h.expect_client(format!("{}\r\n", b64(b"first answer")).as_bytes());
        assert!(matches!(h.client.sasl_respond(Some(b"twice")), Err(UsageError::NotApplicable(_))));
        h.server(b"+ \r\n");
        assert!(matches!(h.take_events().as_slice(), [Event::SaslChallenge { data, .. }] if data.is_empty()));
        h.client.sasl_respond(Some(b"")).unwrap();
        h.expect_client(b"\r\n");
        h.server(format!("{t} OK [CAPABILITY IMAP4rev1] ok\r\n").as_bytes());
        authenticated(h, &t);
    });
}

#[test]
fn interactive_initial_response_with_and_without_sasl_ir() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=X-CUSTOM SASL-IR");
        let t = h.try_enqueue_interactive("X-CUSTOM", Some(b"hello".to_vec())).unwrap();
        h.expect_client(format!("{t} AUTHENTICATE X-CUSTOM {}\r\n", b64(b"hello")).as_bytes());
        h.server(format!("{t} NO nope\r\n").as_bytes());
        h.failed(&t);
        let t = h.try_enqueue_interactive("X-CUSTOM", Some(Vec::new())).unwrap();
        h.expect_client(format!("{t} AUTHENTICATE X-CUSTOM =\r\n").as_bytes());
        h.server(format!("{t} NO nope\r\n").as_bytes());
        h.failed(&t);
        // Without SASL-IR the initial response answers the first challenge.
        let mut h2 = Harness::new(h.chunking());
        h2.greet("IMAP4rev1 AUTH=X-CUSTOM");
        let t = h2.try_enqueue_interactive("X-CUSTOM", Some(b"hello".to_vec())).unwrap();
        h2.expect_client(format!("{t} AUTHENTICATE X-CUSTOM\r\n").as_bytes());
        h2.server(b"+ \r\n");
        h2.expect_client(format!("{}\r\n", b64(b"hello")).as_bytes());
        assert!(h2.take_events().is_empty(), "no challenge event for the deferred initial response");
    });
}

#[test]
fn cancelling_sends_a_star_and_the_server_says_bad() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=X-CUSTOM");
        let t = h.try_enqueue_interactive("X-CUSTOM", None).unwrap();
        h.pump();
        h.sent.clear();
        h.server(b"+ \r\n");
        h.take_events();
        h.client.sasl_respond(None).unwrap();
        h.expect_client(b"*\r\n");
        h.server(format!("{t} BAD AUTHENTICATE cancelled\r\n").as_bytes());
        assert!(matches!(h.failed(&t), CommandError::Bad { .. }));
        assert_eq!(h.client.state(), StateName::NotAuthenticated);
        // The session goes on: LOGIN works.
        let l = h.enqueue(Command::login("u", "p"));
        h.expect_client(format!("{l} LOGIN u \"p\"\r\n").as_bytes());
    });
}

#[test]
fn a_failing_mechanism_cancels_the_exchange() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=LOGIN");
        let t = h.try_enqueue(crate::request::authenticate(Login::new("tim", "secret"))).unwrap();
        h.pump();
        h.sent.clear();
        h.server(b"+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n+ TW9yZT8=\r\n");
        h.expect_client(format!("dGlt\r\n{}\r\n*\r\n", b64(b"secret")).as_bytes());
        h.server(format!("{t} BAD cancelled\r\n").as_bytes());
        assert!(matches!(h.failed(&t), CommandError::Sasl(_)));
    });
}

#[test]
fn authenticate_needs_the_mechanism_and_the_state() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1 AUTH=PLAIN");
        assert!(matches!(
            h.try_enqueue(crate::request::authenticate(Login::new("a", "b"))),
            Err(UsageError::MissingCapability { command: "AUTHENTICATE", .. })
        ));
        h.login("IMAP4rev1 AUTH=PLAIN");
        assert!(matches!(
            h.try_enqueue(crate::request::authenticate(Plain::new("a", "b"))),
            Err(UsageError::WrongState { .. })
        ));
    });
}

#[test]
fn login_always_quotes_or_literalises_the_password() {
    run_all_chunkings(|h| {
        h.greet("IMAP4rev1");
        let t = h.enqueue(Command::login("alice", "secret"));
        h.expect_client(format!("{t} LOGIN alice \"secret\"\r\n").as_bytes());
        h.server(format!("{t} NO\r\n").as_bytes());
        let t = h.enqueue(Command::login("alice", "a \"b\" \\c"));
        h.expect_client(format!("{t} LOGIN alice \"a \\\"b\\\" \\\\c\"\r\n").as_bytes());
        h.server(format!("{t} NO\r\n").as_bytes());
        let t = h.enqueue(Command::login("alice", "NIL"));
        h.expect_client(format!("{t} LOGIN alice \"NIL\"\r\n").as_bytes());
        h.server(format!("{t} NO\r\n").as_bytes());
        let t = h.enqueue(Command::login("alice", ""));
        h.expect_client(format!("{t} LOGIN alice \"\"\r\n").as_bytes());
    });
}
