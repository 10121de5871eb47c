using Windmill.Webhooks.Scripts;

namespace Windmill.Webhooks.JavaScript.Compilation;

/// <summary>The kinds of tokens the type stripper tells apart.</summary>
internal enum TokenKind { Identifier, Punctuator, String, Template, Number, RegExp, End }

/// <summary>One token of the source: its kind, its span, and whether a line break comes before it (for ASI).</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int End, string Text, bool NewLineBefore)
{
    public bool Is(string text) => Kind is TokenKind.Identifier or TokenKind.Punctuator && Text == text;
}

/// <summary>
/// Splits TypeScript source into tokens, skipping comments. Template literals are one token each (with their
/// <c>${…}</c> parts); a slash starts a regular expression wherever an operand is expected.
/// </summary>
internal static class TypeScriptTokenizer
{
    // Longest first, so that the first match is the longest one.
    private static readonly string[] Punctuators =
    [
        ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
        "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>",
    ];

    // After these keywords an operand is expected, so a slash starts a regular expression.
    private static readonly HashSet<string> OperandKeywords =
        ["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"];

    public static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>();
        var i = 0;
        var newLine = false;
        while (true)
        {
            i = SkipTrivia(source, i, ref newLine);
            if (i >= source.Length)
            {
                tokens.Add(new Token(TokenKind.End, source.Length, source.Length, "", true));
                return tokens;
            }

            var c = source[i];
            Token token;
            if (IsIdentifierStart(c) || c == '#')
            {
                var end = i + 1;
                while (end < source.Length && IsIdentifierPart(source[end]))
                {
                    end++;
                }

                token = new Token(TokenKind.Identifier, i, end, source[i..end], newLine);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < source.Length && char.IsAsciiDigit(source[i + 1])))
            {
                var end = i + 1;
                while (end < source.Length && (char.IsAsciiLetterOrDigit(source[end]) || source[end] is '_' or '.'
                    || (source[end] is '+' or '-' && source[end - 1] is 'e' or 'E' && !source[i..end].StartsWith("0x", StringComparison.OrdinalIgnoreCase))))
                {
                    end++;
                }

                token = new Token(TokenKind.Number, i, end, source[i..end], newLine);
            }
            else if (c is '"' or '\'')
            {
                var end = SkipString(source, i);
                token = new Token(TokenKind.String, i, end, source[i..end], newLine);
            }
            else if (c == '`')
            {
                var end = SkipTemplate(source, i, depth: 1);
                token = new Token(TokenKind.Template, i, end, source[i..end], newLine);
            }
            else if (c == '/' && ExpectsOperand(tokens))
            {
                var end = SkipRegExp(source, i);
                token = new Token(TokenKind.RegExp, i, end, source[i..end], newLine);
            }
            else
            {
                var text = Punctuators.FirstOrDefault(p => string.CompareOrdinal(source, i, p, 0, p.Length) == 0) ?? c.ToString();
                if (text == "?." && i + 2 < source.Length && char.IsAsciiDigit(source[i + 2]))
                {
                    text = "?"; // a ? .5 : 1
                }

                token = new Token(TokenKind.Punctuator, i, i + text.Length, text, newLine);
            }

            tokens.Add(token);
            i = token.End;
            newLine = false;
        }
    }

    private static bool ExpectsOperand(List<Token> tokens)
    {
        if (tokens.Count == 0)
        {
            return true;
        }

        var previous = tokens[^1];
        return previous.Kind switch
        {
            TokenKind.Identifier => OperandKeywords.Contains(previous.Text),
            TokenKind.Punctuator => previous.Text is not (")" or "]" or "}" or "++" or "--"),
            _ => false,
        };
    }

    private static int SkipTrivia(string source, int i, ref bool newLine)
    {
        while (i < source.Length)
        {
            var c = source[i];
            if (c is '\n' or '\r' or '\u2028' or '\u2029')
            {
                newLine = true;
                i++;
            }
            else if (char.IsWhiteSpace(c) || c == '\uFEFF')
            {
                i++;
            }
            else if (c == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                while (i < source.Length && source[i] is not ('\n' or '\r'))
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? source.Length : end + 2;
                newLine |= source.AsSpan(i, end - i).IndexOfAny('\n', '\r') >= 0;
                i = end;
            }
            else if (c == '#' && i == 0 && source.Length > 1 && source[1] == '!')
            {
                while (i < source.Length && source[i] is not ('\n' or '\r'))
                {
                    i++;
                }
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static int SkipString(string source, int i)
    {
        var quote = source[i++];
        while (i < source.Length && source[i] != quote && source[i] is not ('\n' or '\r'))
        {
            i += source[i] == '\\' ? 2 : 1;
        }

        return Math.Min(i + 1, source.Length);
    }

    // A template's ${…} may hold another template: nesting is recursion, so it is bounded.
    private static int SkipTemplate(string source, int i, int depth)
    {
        if (depth > JavaScriptCompiler.MaxNesting)
        {
            var (line, column) = JavaScriptCompiler.Place(source, i);
            throw new ScriptCompilationException(JavaScriptCompiler.TooDeeplyNested, line, column);
        }

        i++;
        while (i < source.Length && source[i] != '`')
        {
            if (source[i] == '\\')
            {
                i += 2;
            }
            else if (source[i] == '$' && i + 1 < source.Length && source[i + 1] == '{')
            {
                i = SkipBraces(source, i + 1, templateDepth: depth);
            }
            else
            {
                i++;
            }
        }

        return Math.Min(i + 1, source.Length);
    }

    // From an opening brace to just after its closing one, through the strings, templates and comments inside.
    private static int SkipBraces(string source, int i, int templateDepth)
    {
        var depth = 0;
        var newLine = false;
        while (i < source.Length)
        {
            i = SkipTrivia(source, i, ref newLine);
            if (i >= source.Length)
            {
                break;
            }

            switch (source[i])
            {
                case '{': depth++; i++; break;
                case '}':
                    depth--;
                    i++;
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
                case '"' or '\'': i = SkipString(source, i); break;
                case '`': i = SkipTemplate(source, i, templateDepth + 1); break;
                default: i++; break;
            }
        }

        return i;
    }

    private static int SkipRegExp(string source, int i)
    {
        i++;
        var inClass = false;
        while (i < source.Length && source[i] is not ('\n' or '\r'))
        {
            var c = source[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }

            if (c == '[')
            {
                inClass = true;
            }
            else if (c == ']')
            {
                inClass = false;
            }
            else if (c == '/' && !inClass)
            {
                i++;
                break;
            }

            i++;
        }

        while (i < source.Length && IsIdentifierPart(source[i]))
        {
            i++;
        }

        return Math.Min(i, source.Length);
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c is '_' or '$' or '\\';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$' or '\u200C' or '\u200D';
}
