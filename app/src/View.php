<?php

declare(strict_types=1);

namespace Inventory;

/**
 * Plain PHP templates. They print every value through $e (htmlspecialchars);
 * the one raw value is $contentHtml, the page this class rendered for the layout.
 */
final class View
{
    public function __construct(
        private readonly string $templateDir,
        private readonly string $instanceId,
        private readonly string $availabilityZone,
    ) {
    }

    /** @param array<string, mixed> $variables */
    public function page(int $status, string $title, string $template, array $variables = []): Response
    {
        $html = $this->render('layout', [
            'title' => $title,
            'contentHtml' => $this->render($template, $variables),
            'instanceId' => $this->instanceId,
            'availabilityZone' => $this->availabilityZone,
        ]);
        return new Response($status, $html, ['Content-Type' => 'text/html; charset=utf-8']);
    }

    /** @param array<string, mixed> $variables */
    private function render(string $template, array $variables): string
    {
        $e = static fn (mixed $value): string => htmlspecialchars((string) $value, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
        // Static: the template sees its variables and $e, not $this.
        $render = static function (string $file) use ($variables, $e): string {
            extract($variables, EXTR_SKIP);
            ob_start();
            require $file;
            return (string) ob_get_clean();
        };
        return $render("$this->templateDir/$template.php");
    }
}
