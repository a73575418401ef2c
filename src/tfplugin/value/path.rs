//! Attribute paths: where in a value a diagnostic points.

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An object attribute (or a block) by name.
    Attribute(String),
    /// A map element by key.
    ElementKeyString(String),
    /// A list or tuple element by index.
    ElementKeyInt(i64),
}

/// A path from the root of a resource, data source or provider config to a value inside it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributePath {
    /// The steps, outermost first.
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path (the whole object).
    pub fn root() -> Self {
        Self::default()
    }

    /// A path of one attribute step.
    pub fn attr(name: impl Into<String>) -> Self {
        Self::root().attribute(name)
    }

    /// This path followed by an attribute step.
    pub fn attribute(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attribute(name.into()));
        self
    }

    /// This path followed by a map key step.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.steps.push(PathStep::ElementKeyString(key.into()));
        self
    }

    /// This path followed by a list index step.
    pub fn index(mut self, index: i64) -> Self {
        self.steps.push(PathStep::ElementKeyInt(index));
        self
    }

    /// True for the root path.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

impl fmt::Display for AttributePath {
    /// Renders like HCL: `credentials["host"]`, `sources[0]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => write!(f, "{name}")?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::ElementKeyString(key) => write!(f, "[{key:?}]")?,
                PathStep::ElementKeyInt(idx) => write!(f, "[{idx}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_hcl() {
        let p = AttributePath::attr("credentials").key("host");
        assert_eq!(p.to_string(), "credentials[\"host\"]");
        assert_eq!(
            AttributePath::attr("a").attribute("b").index(2).to_string(),
            "a.b[2]"
        );
    }
}
